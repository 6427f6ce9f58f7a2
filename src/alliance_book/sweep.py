"""Sweeps: many editions built on a Dask cluster, each distinct chapter executed once.

A sweep file (YAML) names editions as a ``grid`` (every combination of the values of its axes)
and/or a list of ``editions`` (each a mapping of parameters, like a ``-f`` file)::

    name: hosts-and-years                 # optional; the file's name by default
    grid:
      01_alliance_phases.host_country: [South Korea, Japan]   # NOTEBOOK.PARAMETER, or PARAMETER
      start_year: [0, 1978]
      file: [null, params/japan.yaml]     # parameter files layered in turn (null: none)
    editions:
      - name: cold-war                    # optional; derived from the parameters by default
        file: params/since-1978.yaml      # optional: parameter files, layered first
        01_alliance_phases: {end_year: 1991}

Each edition is checked like ``alliance-book build -f`` (names, types, values against the data)
before any kernel starts; a bad edition fails alone. Every chapter is a Dask task keyed by the
chapter store's key of its inputs (``chapterstore.key_of``), so a chapter shared by many editions
executes once, and a chapter already in the store (from any book, or from an interrupted sweep)
is not executed again. An edition's HTML is a task after its chapters; it is published atomically
like any edition (``pipeline.assemble``). The sweep writes ``_build/sweeps/NAME/index.html`` and
``summary.json``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import yaml

from alliance_book import paths
from alliance_book.errors import BookError

TOP_KEYS = ("name", "grid", "editions", "languages")
FILE_AXIS = "file"
MAX_NAME = 120


# --- the sweep file -----------------------------------------------------------------------------

@dataclass
class Edition:
    """One edition of a sweep: its name, its parameters (a ``-f`` layer), where it was declared."""

    name: str
    layer: dict[str, Any]
    origin: str
    files: list[Path] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (notebook stem, chapter key), in book order
    differences: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # chapter, parameter, default, value
    status: str = "pending"
    error: str = ""


@dataclass
class Sweep:
    name: str
    file: Path
    editions: list[Edition]
    languages: list[str] = field(default_factory=list)  # each edition also in these languages (besides English)

    @property
    def base(self) -> Path:
        return paths.BUILD / "sweeps" / self.name


def slug(value: Any) -> str:
    """A value as a readable, filesystem-safe part of a name: 'South Korea' -> 'south-korea'."""
    if isinstance(value, (list, tuple)):
        text = "-".join(slug(v) for v in value)
    elif isinstance(value, dict):
        text = "-".join(f"{slug(k)}-{slug(v)}" for k, v in value.items())
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    text = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
    return text or "none"


def derive_name(pieces: list[tuple[str, Any]]) -> str:
    """An edition's name from its (parameter, value) pairs: 'host_country-japan_start_year-1978'."""
    parts = [piece if value is None else f"{piece}-{slug(value)}" for piece, value in pieces]
    name = "_".join(parts) or "defaults"
    if len(name) > MAX_NAME:  # still stable: the tail is a hash of the whole name
        name = f"{name[:MAX_NAME - 9].rstrip('-_.')}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return name


def _place(layer: dict[str, Any], axis: str, value: Any) -> None:
    notebook, _, name = axis.rpartition(".")
    if notebook:
        section = layer.setdefault(notebook, {})
        if not isinstance(section, dict):
            raise BookError(f"{axis}: {notebook} is given both as a parameter and as a notebook")
        section[name] = value
    else:
        layer[name] = value


def _file_of(value: Any, sweep_file: Path, where: str) -> Path:
    if not isinstance(value, str):
        raise BookError(f"{paths.display(sweep_file)}, {where}: a parameter file must be a path, got {value!r}")
    for base in (sweep_file.parent, paths.ROOT):
        candidate = (base / value).resolve()
        if candidate.is_file():
            return candidate
    raise BookError(f"{paths.display(sweep_file)}, {where}: parameter file not found: {value}")


def load(file: Path) -> Sweep:
    """Read and check a sweep file; a wrong entry is an error naming the file and the entry."""
    from alliance_book import params

    file = Path(file).resolve()
    shown = paths.display(file)
    content = params.read_yaml(file)
    unknown = [k for k in content if k not in TOP_KEYS]
    if unknown:
        raise BookError(f"{shown}: unknown key {unknown[0]!r}; a sweep file has {', '.join(TOP_KEYS)}")
    name = content.get("name", file.stem)
    if not isinstance(name, str) or not paths.EDITION_NAME.fullmatch(name):
        raise BookError(f"{shown}, name: {name!r} must be letters, digits, '-', '_' or '.'")
    editions: list[Edition] = []

    grid = content.get("grid") or {}
    if not isinstance(grid, dict):
        raise BookError(f"{shown}, grid: must be a mapping of parameters to lists of values, not {type(grid).__name__}")
    axes = []
    for axis, values in grid.items():
        if not isinstance(axis, str) or not axis:
            raise BookError(f"{shown}, grid: axis {axis!r} must be a parameter name (or NOTEBOOK.PARAMETER)")
        if not isinstance(values, list) or not values:
            raise BookError(f"{shown}, grid axis {axis!r}: must be a non-empty list of values, got {values!r}")
        axes.append((axis, values))
    for combo in itertools.product(*(values for _, values in axes)):
        layer: dict[str, Any] = {}
        files: list[Path] = []
        pieces: list[tuple[str, Any]] = []
        where = ", ".join(f"{axis}={value!r}" for (axis, _), value in zip(axes, combo))
        for (axis, _), value in zip(axes, combo):
            if axis == FILE_AXIS and value is None:
                continue  # no file: the default book's parameters
            if axis == FILE_AXIS:
                found = _file_of(value, file, f"grid axis {axis!r}")
                files.append(found)
                pieces.append((slug(found.stem), None))
            else:
                try:
                    _place(layer, axis, value)
                except BookError as exc:
                    raise BookError(f"{shown}, grid axis {axis!r}: {exc}") from None
                pieces.append((axis.rpartition(".")[2], value))
        editions.append(Edition(derive_name(pieces), layer, f"{shown}, grid entry {where}", files))

    listed = content.get("editions") or []
    if not isinstance(listed, list):
        raise BookError(f"{shown}, editions: must be a list of mappings of parameters, not {type(listed).__name__}")
    for i, entry in enumerate(listed, start=1):
        where = f"{shown}, editions entry {i}"
        if not isinstance(entry, dict):
            raise BookError(f"{where}: must be a mapping of parameters, got {entry!r}")
        entry = dict(entry)
        given = entry.pop("name", None)
        raw_files = entry.pop(FILE_AXIS, [])
        files = [_file_of(f, file, f"editions entry {i}") for f in (raw_files if isinstance(raw_files, list) else [raw_files])]
        if given is not None and (not isinstance(given, str) or not paths.EDITION_NAME.fullmatch(given)
                                  or given == paths.DEFAULT_EDITION):
            raise BookError(f"{where}: name {given!r} must be letters, digits, '-', '_' or '.', and not 'default'")
        pieces = [(slug(f.stem), None) for f in files]
        for key, value in entry.items():
            if isinstance(value, dict):
                pieces += list(value.items())
            else:
                pieces.append((str(key), value))
        editions.append(Edition(given or derive_name(pieces), entry, where + (f" ({given})" if given else ""), files))

    if not editions:
        raise BookError(f"{shown}: names no edition; give a 'grid' or a list of 'editions'")
    seen: dict[str, Edition] = {}
    for edition in editions:
        if edition.name in seen:
            raise BookError(f"{shown}: two editions are both named {edition.name!r} ({seen[edition.name].origin}; "
                            f"{edition.origin}); give one a 'name' of its own")
        seen[edition.name] = edition
    raw_languages = content.get("languages") or []
    if isinstance(raw_languages, str):
        raw_languages = [raw_languages]
    if not isinstance(raw_languages, list) or not all(isinstance(lang, str) for lang in raw_languages):
        raise BookError(f"{shown}, languages: must be a list of language codes (e.g. [th, ko]) or 'all'")
    from alliance_book import pipeline

    try:
        languages = [lang for lang in pipeline.resolve_languages(raw_languages) if lang != paths.SOURCE_LANGUAGE] \
            if raw_languages else []
    except BookError as exc:
        raise BookError(f"{shown}, languages: {exc}") from None
    return Sweep(name, file, editions, languages)


# --- checking the editions before any kernel starts ---------------------------------------------

def _write_layer(sweep: Sweep, edition: Edition) -> Path:
    """The edition's parameters as a file: ``alliance-book build -f`` of it rebuilds the same edition."""
    out = sweep.base / "params" / f"{edition.name}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Edition {edition.name} of the sweep {paths.display(sweep.file)} ({edition.origin}).\n"
    text += "".join(f"# Layered on the parameter file {paths.display(f)}.\n" for f in edition.files)
    text += yaml.safe_dump(edition.layer, sort_keys=False, allow_unicode=True) if edition.layer else ""
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def prepare(sweep: Sweep) -> None:
    """Check every edition like ``alliance-book build -f``; a bad one is marked failed, the others go on."""
    from alliance_book import chapterstore, params, pipeline

    defaults = {run.name: run.parameters for run in params.resolve()}
    for edition in sweep.editions:
        try:
            runs = params.resolve(None, None, [*edition.files, _write_layer(sweep, edition)])
            pipeline.validate_inputs(runs)
        except BookError as exc:
            edition.status, edition.error = "failed", f"{edition.origin}: {exc}"
            continue
        edition.keys = [(run.name, chapterstore.key_of(run.notebook, run.parameters)) for run in runs]
        edition.differences = []
        for run in runs:
            # The default book's value: params/default.yaml, else the notebook's own default.
            base = {**run.declared, **defaults.get(run.name, {})}
            edition.differences += [(run.name, name, base.get(name), value)
                                    for name, value in run.parameters.items() if base.get(name) != value]
        edition._runs = runs  # type: ignore[attr-defined]


# --- the tasks (run on the workers) -------------------------------------------------------------

SCRATCH = "scratch"


def run_chapter(stem: str, parameters: dict[str, Any], key: str, sweep_name: str) -> dict[str, Any]:
    """Execute one chapter unless the store holds it; file it in the store (atomically); say what happened."""
    from alliance_book import chapterstore, execute
    from alliance_book.params import Run

    notebook = paths.NOTEBOOKS / f"{stem}.ipynb"
    here = chapterstore.key_of(notebook, parameters)
    if here != key:
        raise BookError(f"{stem}: the worker's project at {paths.ROOT} differs from the sweep's (notebook, package code "
                        "or requirements.lock); workers must see the same project (see README, 'Sweeps')")
    found = chapterstore.find(notebook, parameters)
    if found is not None:
        return {"stem": stem, "key": key, "stored": str(found.relative_to(paths.ROOT)), "executed": False, "seconds": 0.0}
    started = time.perf_counter()
    scratch = paths.BUILD / "sweeps" / SCRATCH / key
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        path = execute.execute(Run(notebook, parameters), out_dir=scratch,
                               failed_dir=paths.BUILD / "sweeps" / sweep_name / "failed" / key)
        stored = chapterstore.put(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if stored is None:
        raise BookError(f"{stem}: executed, but could not be filed in {paths.display(chapterstore.folder({}).parent)}")
    return {"stem": stem, "key": key, "stored": str(stored.relative_to(paths.ROOT)), "executed": True,
            "seconds": time.perf_counter() - started}


def build_edition(name: str, chapters: list[dict[str, Any]], languages: list[str] | None = None) -> dict[str, Any]:
    """Put an edition's chapters in place (from the store) and build and publish its HTML, in
    English and in each of ``languages``."""
    from alliance_book import chapterstore, execute, pages, pipeline

    target = paths.edition_target(name)
    target.chapters.mkdir(parents=True, exist_ok=True)
    execute.clean_interrupted(target.chapters)
    changed = []
    for chapter in chapters:
        src, dst = paths.ROOT / chapter["stored"], target.chapters / f"{chapter['stem']}.ipynb"
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            chapterstore.copy_to(src, dst)
            changed.append(chapter["stem"])
    keep = {f"{c['stem']}.ipynb" for c in chapters}
    for old in target.chapters.glob("*.ipynb"):
        if old.name not in keep:
            old.unlink()
    pages.write_generated(target=target)
    rebuilt = pipeline.assemble(target, changed)
    if languages:
        built, _coverage = pipeline.assemble_languages(target, languages)
        rebuilt = rebuilt or any(again for _target, again in built.values())
    return {"name": name, "rebuilt": rebuilt, "changed": changed}


# --- the sweep -----------------------------------------------------------------------------------

@dataclass
class Summary:
    sweep: Sweep
    chapters: dict[str, dict[str, Any]] = field(default_factory=dict)  # by key: stem, executed, seconds, error
    seconds: float = 0.0

    @property
    def executed(self) -> list[dict[str, Any]]:
        return [c for c in self.chapters.values() if c.get("executed")]

    @property
    def reused(self) -> list[dict[str, Any]]:
        return [c for c in self.chapters.values() if c.get("executed") is False]

    @property
    def failed(self) -> list[Edition]:
        return [e for e in self.sweep.editions if e.status == "failed"]

    @property
    def index(self) -> Path:
        return self.sweep.base / "index.html"

    def as_json(self) -> dict[str, Any]:
        return {
            "sweep": self.sweep.name,
            "file": paths.display(self.sweep.file),
            "seconds": round(self.seconds, 1),
            "chapters": {k: {n: v for n, v in c.items() if n != "stored"} for k, c in sorted(self.chapters.items())},
            "executed": len(self.executed),
            "reused": len(self.reused),
            "editions": [{"name": e.name, "status": e.status, "error": e.error, "origin": e.origin,
                          "chapters": dict(e.keys),
                          "differences": [{"chapter": c, "parameter": p, "default": d, "value": v}
                                          for c, p, d, v in e.differences]}
                         for e in self.sweep.editions],
        }


@dataclass
class Progress:
    """Callbacks: the sweep started (chapter tasks, edition tasks, workers); a task finished."""

    started: Callable[[int, int, str], None] = lambda chapters, editions, cluster: None
    done: Callable[[int, int, str], None] = lambda done, total, what: None


def _client(workers: int | None, scheduler: str | None) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    # Worker processes find the project the way this process did.
    os.environ["ALLIANCE_BOOK_ROOT"] = str(paths.ROOT)
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    return Client(cluster), cluster


def _short(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, BookError) else f"{type(exc).__name__}: {exc}"


def run(file: Path, workers: int | None = None, scheduler: str | None = None, progress: Progress | None = None) -> Summary:
    """Build every edition of a sweep file on a Dask cluster; failures are recorded, not raised."""
    from alliance_book import pipeline

    progress = progress or Progress()
    started = time.perf_counter()
    sweep = load(file)
    pipeline.check_prose()
    with pipeline.exclusive():
        summary = Summary(sweep)
        shutil.rmtree(paths.BUILD / "sweeps" / SCRATCH, ignore_errors=True)  # what killed sweeps left
        prepare(sweep)
        good = [e for e in sweep.editions if e.status != "failed"]
        chapter_runs: dict[str, tuple[str, dict[str, Any]]] = {}
        for edition in good:
            for run_ in edition._runs:  # type: ignore[attr-defined]
                chapter_runs.setdefault(dict(edition.keys)[run_.name], (run_.name, run_.parameters))
        write_index(summary)
        if good:
            _compute(summary, good, chapter_runs, workers, scheduler, progress)
        summary.seconds = time.perf_counter() - started
        write_index(summary)
    return summary


def _compute(summary: Summary, good: list[Edition], chapter_runs: dict[str, tuple[str, dict[str, Any]]],
             workers: int | None, scheduler: str | None, progress: Progress) -> None:
    from distributed import as_completed

    client, cluster = _client(workers, scheduler)
    try:
        n_workers = len(client.scheduler_info().get("workers", {}))
        progress.started(len(chapter_runs), len(good), f"{scheduler or 'a local cluster'} ({n_workers} workers)")
        chapter_futures = {key: client.submit(run_chapter, stem, parameters, key, summary.sweep.name,
                                              key=f"chapter-{key}", retries=0)
                           for key, (stem, parameters) in chapter_runs.items()}
        edition_futures = {client.submit(build_edition, e.name, [chapter_futures[k] for _, k in e.keys],
                                         summary.sweep.languages, key=f"edition-{summary.sweep.name}-{e.name}", retries=0): e for e in good}
        what = {f: ("chapter", key) for key, f in chapter_futures.items()} | {f: ("edition", e) for f, e in edition_futures.items()}
        total = len(what)
        for done, future in enumerate(as_completed(list(what)), start=1):
            kind, item = what[future]
            if kind == "chapter":
                stem = chapter_runs[item][0]
                if future.status == "finished":
                    result = future.result()
                    summary.chapters[item] = result
                    label = f"ran {stem} in {result['seconds']:.1f} s" if result["executed"] else f"reused {stem} (in the store)"
                else:
                    summary.chapters[item] = {"stem": stem, "key": item, "executed": None, "error": _short(future.exception())}
                    label = f"FAILED {stem}"
                progress.done(done, total, f"{label} [{item[:10]}]")
            else:
                edition = item
                if future.status == "finished":
                    result = future.result()
                    edition.status = "built" if result["rebuilt"] else "up to date"
                else:
                    edition.status, edition.error = "failed", f"{edition.origin}: {_short(future.exception())}"
                progress.done(done, total, f"{edition.status} edition {edition.name}")
                write_index(summary)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- the sweep's index page -----------------------------------------------------------------------

def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def write_index(summary: Summary) -> Path:
    """``_build/sweeps/NAME/index.html`` (every edition, what it changes, its status, a link) and ``summary.json``."""
    sweep = summary.sweep
    sweep.base.mkdir(parents=True, exist_ok=True)
    rows = []
    for e in sweep.editions:
        html = paths.edition_target(e.name).html / "index.html"
        link = os.path.relpath(html, sweep.base)
        name = (f'<a href="{escape(link)}">{escape(e.name)}</a>' if e.status in ("built", "up to date")
                else escape(e.name))
        diffs = "".join(f"<li>{escape(c)}: <code>{escape(p)}</code> = {escape(_value(v))} "
                        f"(default: {escape(_value(d))})</li>" for c, p, d, v in e.differences)
        diffs = f"<ul>{diffs}</ul>" if diffs else ("none" if e.keys else "not known (the parameters were refused)")
        detail = f"<pre>{escape(e.error)}</pre>" if e.error else ""
        rows.append(f"<tr><th scope=\"row\">{name}</th><td>{escape(e.status)}</td><td>{diffs}</td><td>{detail}</td></tr>")
    counts = {s: sum(e.status == s for e in sweep.editions) for s in ("built", "up to date", "failed", "pending")}
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sweep {escape(sweep.name)}: editions of the ROK-US alliance book</title>
<style>body{{font-family:sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;line-height:1.4}}
table{{border-collapse:collapse}}th,td{{border:1px solid #555;padding:.3rem .5rem;vertical-align:top;text-align:left}}
pre{{white-space:pre-wrap;max-height:20rem;overflow:auto;margin:0}}</style></head>
<body><main>
<h1>Sweep {escape(sweep.name)}</h1>
<p>Editions of the book declared in <code>{escape(paths.display(sweep.file))}</code>:
{counts['built']} built, {counts['up to date']} up to date, {counts['failed']} failed, {counts['pending']} pending.
Chapters: {len(summary.executed)} executed, {len(summary.reused)} reused from the chapter store.</p>
<table>
<caption>Every edition, the parameters it changes from the default book, and its status</caption>
<thead><tr><th scope="col">Edition</th><th scope="col">Status</th><th scope="col">Parameters that differ from the default book</th><th scope="col">Details</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</main></body></html>
"""
    for name, text in (("index.html", page), ("summary.json", json.dumps(summary.as_json(), indent=1, ensure_ascii=False))):
        fd, tmp = tempfile.mkstemp(dir=sweep.base, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, sweep.base / name)
    return sweep.base / "index.html"
