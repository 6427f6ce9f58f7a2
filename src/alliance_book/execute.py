"""Run notebooks through papermill's Python API and write the executed chapters.

An executed notebook is written to a temporary file and moved into ``book/chapters/`` only
when every cell succeeded, so a failing run never replaces the last good chapter. Timing
metadata and the random id of the injected cell are removed, so the same inputs give the
same file.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alliance_book import chapterstore, datapackage, paths, provenance
from alliance_book.errors import BookError
from alliance_book.params import Run

KERNEL = "python3"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_VOLATILE_NB = ("start_time", "end_time", "duration", "input_path", "output_path", "exception")


def output_path(run: Run, out_dir: Path | None = None) -> Path:
    """Where a notebook's executed copy goes."""
    return (out_dir or paths.CHAPTERS) / run.notebook.name


def normalise(nb: Any) -> Any:
    """Drop what differs from run to run (timings, temporary paths, the injected cell's random id); tag cells for the book."""
    pm = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NB:
        pm.pop(key, None)
    injected = any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell_pm = cell.metadata.get("papermill")
        if cell_pm is not None:
            for key in _VOLATILE_NB:
                cell_pm.pop(key, None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"
            if "hide-input" not in tags:
                tags.append("hide-input")
        elif injected and "parameters" in tags and "remove-cell" not in tags:
            # The book shows the values used (the injected cell), not the notebook's defaults.
            tags.append("remove-cell")
    return nb


def _failure(run: Run, exc: Any, kept: Path) -> BookError:
    import nbformat

    source_cell = exc.cell_index
    nb = nbformat.read(kept, as_version=4) if kept.is_file() else None
    first_line = ""
    if nb is not None:
        # papermill puts an error banner cell first; exc.cell_index counts the cells without it.
        nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
        injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])]
        if injected and injected[0] < exc.cell_index:
            source_cell -= 1
        first_line = nb.cells[exc.cell_index].source.strip().splitlines()[0] if nb.cells[exc.cell_index].source else ""
    trace = _ANSI.sub("", "\n".join(exc.traceback)) if exc.traceback else ""
    return BookError(
        f"{paths.display(run.notebook)}: cell {source_cell + 1} failed "
        f"(counting all cells from 1; it begins: {first_line!r})\n"
        f"{exc.ename}: {exc.evalue}\n{trace}\n"
        f"The failed notebook, with its outputs, is kept at {paths.display(kept)}; "
        f"the last good chapter and book are unchanged."
    )


def execute(run: Run, out_dir: Path | None = None, failed_dir: Path | None = None) -> Path:
    """Execute one notebook with its parameters; return the executed chapter's path.

    A notebook that fails is kept, with its outputs, in ``failed_dir`` (``_build/failed``).
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    target = output_path(run, out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{run.name}.", suffix=".ipynb", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    log = tmp.with_suffix(".reads")
    previous_log = os.environ.get(datapackage.READ_LOG)
    os.environ[datapackage.READ_LOG] = str(log)  # the kernel inherits it and lists every data file it reads
    try:
        papermill.execute_notebook(
            str(run.notebook),
            str(tmp),
            parameters=run.parameters,
            kernel_name=KERNEL,
            cwd=str(paths.ROOT),
            progress_bar=False,
            log_output=False,
            # The outputs are collected before shutdown; waiting for a graceful exit only costs time.
            shutdown_kernel="immediate",
            # No history database, and no start-up warnings mixed into the build's output.
            extra_arguments=["--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as exc:
        failed = (failed_dir or paths.BUILD / "failed") / run.notebook.name
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.is_file():
            os.replace(tmp, failed)
        raise _failure(run, exc, failed) from None
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise BookError(f"{paths.display(run.notebook)}: could not be executed: {exc}") from exc
    finally:
        if previous_log is None:
            os.environ.pop(datapackage.READ_LOG, None)
        else:
            os.environ[datapackage.READ_LOG] = previous_log
        read = [Path(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.is_file() else []
        log.unlink(missing_ok=True)
    nb = normalise(nbformat.read(tmp, as_version=4))
    nb.metadata[provenance.KEY] = {"inputs": provenance.inputs(run.notebook, run.parameters, read)}
    nbformat.write(nb, tmp)
    if target.is_file() and target.read_bytes() == tmp.read_bytes():
        tmp.unlink()  # same result: keep the old file (and its time stamp, so Sphinx need not re-read it)
    else:
        os.replace(tmp, target)
    return target


@dataclass
class Outcome:
    """What happened to one notebook: executed or reused, why, and how long it took."""

    name: str
    path: Path
    executed: bool
    reason: str
    seconds: float = 0.0


def clean_interrupted(out_dir: Path | None = None) -> None:
    """Remove the temporary files of executions that were killed (the last good chapters stay)."""
    folder = out_dir or paths.CHAPTERS
    for leftover in list(folder.glob(".*.ipynb")) + list(folder.glob(".*.reads")):
        leftover.unlink(missing_ok=True)


def stale_reasons(run: Run, out_dir: Path | None = None) -> list[str]:
    """Why a notebook must run again; empty when its executed copy is up to date.

    The executed copy records what it was made from; the same notebook, parameters, data file
    contents, package code and locked environment give the same chapter.
    """
    target = output_path(run, out_dir)
    if not target.is_file():
        # An edition's first build says how its chapter differs from the default book's.
        default = paths.CHAPTERS / run.notebook.name
        if out_dir is not None and Path(out_dir) != paths.CHAPTERS and default.is_file():
            target = default
        else:
            return ["no executed copy"]
    old = provenance.recorded_in(target)
    if not old:
        return ["executed copy has no record of its inputs"]
    files = [paths.data_file(f) for f in old.get("data", {})]
    return provenance.what_changed(old, provenance.inputs(run.notebook, run.parameters, files))


def _execute_timed(run: Run, out_dir: Path | None) -> tuple[Path, float]:
    """Worker entry point (module level, so a process pool can call it); files the chapter in the store."""
    started = time.perf_counter()
    path = execute(run, out_dir)
    chapterstore.put(path)
    return path, time.perf_counter() - started


def execute_all(
    runs: list[Run],
    out_dir: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    executor: Executor | None = None,
    report: Callable[[Outcome], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Execute the notebooks whose inputs changed (all with ``force``), ``jobs`` at a time.

    Independent notebooks run in parallel through a ``concurrent.futures`` executor: a process
    pool by default, or any executor given (a Dask cluster's, for a large parameter sweep).
    ``report`` is told of each notebook as it is reused or finishes; ``meanwhile`` is work for this
    process to do while the notebooks run elsewhere. The first failure is raised after the
    notebooks already running have finished.
    """
    clean_interrupted(out_dir)
    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[Run, str]] = []
    for run in runs:
        reasons = ["--force"] if force else stale_reasons(run, out_dir)
        stored = None if force or not reasons else chapterstore.find(run.notebook, run.parameters)
        if not reasons and not output_path(run, out_dir).is_file():
            stored = paths.CHAPTERS / run.notebook.name  # an edition's chapter equal to the default book's
        if stored is not None:
            # The same inputs were executed before, for this book or another: copy, do not run.
            chapterstore.copy_to(stored, output_path(run, out_dir))
            outcomes[run.name] = Outcome(run.name, output_path(run, out_dir), False, "same inputs as a chapter already executed")
            if report:
                report(outcomes[run.name])
        elif reasons:
            todo.append((run, "; ".join(reasons)))
        else:
            outcomes[run.name] = Outcome(run.name, output_path(run, out_dir), False, "inputs unchanged")
            if report:
                report(outcomes[run.name])
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    failure: BaseException | None = None
    if todo and workers == 1 and executor is None:
        if meanwhile:
            meanwhile()
        for run, why in todo:
            path, seconds = _execute_timed(run, out_dir)
            outcomes[run.name] = Outcome(run.name, path, True, why, seconds)
            if report:
                report(outcomes[run.name])
    elif todo:
        pool = executor or ProcessPoolExecutor(max_workers=workers)
        try:
            futures = {pool.submit(_execute_timed, run, out_dir): (run, why) for run, why in todo}
            if meanwhile:
                meanwhile()
            for future in as_completed(futures):
                run, why = futures[future]
                try:
                    path, seconds = future.result()
                except BaseException as exc:  # noqa: BLE001 - kept and raised once all have finished
                    failure = failure or exc
                    continue
                outcomes[run.name] = Outcome(run.name, path, True, why, seconds)
                if report:
                    report(outcomes[run.name])
        finally:
            if executor is None:
                pool.shutdown()
    if failure:
        raise failure
    return [outcomes[run.name] for run in runs]
