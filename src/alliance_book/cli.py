"""The ``alliance-book`` command: validate data, run notebooks, build the book.

Heavy modules (pandas, papermill, frictionless) are imported only when there is work for them,
so a rebuild with nothing to do returns in a fraction of a second.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from alliance_book import datapackage, paths
from alliance_book.errors import MAX_REPORTED, BookError, summarise

app = typer.Typer(
    help="Build the ROK-US alliance book: validated data -> parameterized notebooks -> HTML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

# Typer has no repeatable two-value option, so `-p NAME VALUE` is read from the extra arguments.
EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
RUN_HELP = (
    "Arguments: [NOTEBOOK ...] notebooks by name (e.g. 01_alliance_phases), all by default; "
    "-p/--parameter NAME VALUE sets a parameter, repeatable, as in papermill."
)
FileOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--parameters-file", "-f", metavar="PARAMS.yaml", help="A YAML file of parameters (repeatable)."),
]
JobsOpt = Annotated[
    Optional[int],
    typer.Option("--jobs", "-j", min=1, help="Notebooks executed at once (default: the number of cores)."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Re-execute every notebook and rebuild every page.")]


def _fail(exc: BookError) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    raise typer.Exit(1)


def _split_args(args: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Notebook names and ``-p NAME VALUE`` pairs from the command's extra arguments."""
    notebooks: list[str] = []
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-p", "--parameter"):
            if len(args) - i < 3:
                raise BookError(f"{arg} needs a NAME and a VALUE, e.g. -p start_year 1970")
            pairs.append((args[i + 1], args[i + 2]))
            i += 3
        elif arg.startswith("-") and len(arg) > 1:
            raise BookError(f"unknown option {arg!r}; see --help")
        else:
            notebooks.append(arg)
            i += 1
    return notebooks, pairs


@contextmanager
def _exclusive() -> Iterator[None]:
    """One run or build at a time in a project; the lock dies with its process, even on kill -9."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: run unguarded
        yield
        return
    paths.BUILD.mkdir(parents=True, exist_ok=True)
    with open(paths.LOCK, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BookError(f"another alliance-book run or build is working in {paths.ROOT}; try again when it ends") from None
        yield


def _validate(runs: list) -> None:
    """Check every dataset, and every file a run swaps in, before any kernel starts.

    Files that already passed every check unchanged are not read again.
    """
    from alliance_book import params

    todo = [(name, datapackage.default_path(name), {}) for name in datapackage.resource_names()]
    for run in runs:
        files = {dataset: file for _nb, dataset, file in params.data_overrides([run])}
        todo += [(dataset, file, files) for dataset, file in files.items()]
    pending = [t for t in todo if not datapackage.is_validated(*t)]
    if not pending:
        return
    from alliance_book import data

    problems: list[str] = []
    for name, file, related in pending:
        problems += [p for p in data.check(name, file, related=related)[1] if p not in problems]
    if problems:
        raise BookError("data do not match their schema (nothing was run):\n" + summarise(problems))


def _check_prose() -> None:
    """Refuse quantities typed into the chapters' prose (they must be glued from the data)."""
    from alliance_book import params, prose

    typed = prose.check_book(params.notebooks(), [paths.BOOK / "intro.md"])
    if typed:
        lines = "\n".join(str(t) for t in typed[:MAX_REPORTED])
        raise BookError(f"numbers typed into the prose; glue them from the data instead (myst-nb glue):\n{lines}")


def _run(
    notebooks: list[str] | None,
    parameter: list[tuple[str, str]] | None,
    parameters_file: list[Path] | None,
    jobs: int | None = None,
    force: bool = False,
    meanwhile: Callable[[], None] | None = None,
    out_dir: Path | None = None,
) -> list[str]:
    """Check parameters and data, execute the notebooks that need it; return the names of those executed."""
    from alliance_book import execute, params

    runs = params.resolve(notebooks, parameter, parameters_file)
    _validate(runs)

    def report(outcome: execute.Outcome) -> None:
        if outcome.executed:
            out.print(f"  [green]ran[/]    {outcome.name} in {outcome.seconds:.1f} s ({outcome.reason})", soft_wrap=True)
        else:
            out.print(f"  [cyan]reused[/] {outcome.name} ({outcome.reason})")

    workers = max(1, min(jobs or os.cpu_count() or 1, len(runs)))
    out.print(f"[bold]run[/] {len(runs)} notebook(s), up to {workers} at a time")
    outcomes = execute.execute_all(runs, out_dir=out_dir, jobs=workers, force=force, report=report, meanwhile=meanwhile)
    return [o.name for o in outcomes if o.executed]


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def run(ctx: typer.Context, parameters_file: FileOpt = None, jobs: JobsOpt = None, force: ForceOpt = False) -> None:
    """Execute notebooks whose inputs changed, with the default parameters overridden by -f and -p."""
    try:
        with _exclusive():
            _run(*_split_args(ctx.args), parameters_file, jobs, force)
    except BookError as exc:
        _fail(exc)


EditionOpt = Annotated[
    Optional[str],
    typer.Option("--edition", help="Build a separate edition into _build/editions/NAME/html "
                 "(default when -f or -p is given: the name of the last -f file, or 'custom')."),
]


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def build(
    ctx: typer.Context,
    parameters_file: FileOpt = None,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
    edition: EditionOpt = None,
) -> None:
    """Run the notebooks that need it, then build the HTML book.

    With the default parameters the book goes to _build/html. With -f or -p it is an edition
    of its own, in _build/editions/NAME/html, and the default book is left as it is.
    """
    from alliance_book import build as builder
    from alliance_book import changes

    try:
        notebooks, pairs = _split_args(ctx.args)
        if edition is None and (parameters_file or pairs):
            edition = parameters_file[-1].stem if parameters_file else "custom"
        target = builder.edition_target(edition) if edition else builder.default_target()
        if not target.is_default and notebooks:
            raise BookError("an edition holds every chapter: run it without naming notebooks")
        _check_prose()
        with _exclusive():
            # The data-sources page needs only the data: it is written while the notebooks run.
            executed = _run(notebooks, pairs, parameters_file, jobs, force,
                            meanwhile=lambda: builder.write_generated(target=target), out_dir=target.chapters)
            report = edition_md = None
            if executed or not (target.base / "manifest.json").is_file():
                chapters = builder.toc_chapters(target)
                new_manifest, report = changes.record_build(chapters, executed, base=target.base)
                edition_md = builder.edition_markdown(target, chapters)
            builder.write_generated(changes_md=report, target=target, edition_md=edition_md)
            rebuilt = builder.build_html(force=force, target=target)
            if report is not None:
                changes.publish_manifest(new_manifest, report, base=target.base)
        where = paths.display(target.html / "index.html")
        label = "" if target.is_default else f" (edition {target.name})"
        if rebuilt:
            out.print(f"[bold]build[/] [green]done[/]{label} {where}; changes: {paths.display(target.base / 'changes.md')}")
        else:
            out.print(f"[bold]build[/] nothing changed{label}: {where} is up to date")
    except BookError as exc:
        _fail(exc)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier build: a folder with manifest.json, or the file itself.")],
    new: Annotated[Path, typer.Argument(help="The later build, likewise.")],
) -> None:
    """Report what changed between two builds: glued values, figures, and why chapters re-ran."""
    from alliance_book import changes

    try:
        out.print(changes.markdown(changes.compare(changes.read(old), changes.read(new))), markup=False, highlight=False)
    except BookError as exc:
        _fail(exc)


@app.command("check-fragments")
def check_fragments(
    article: Annotated[str, typer.Argument(help="The article's key in book/references.bib, e.g. park2024.")],
    text_file: Annotated[Path, typer.Argument(help="The article's text (UTF-8), e.g. a saved copy of the Thai edition.")],
) -> None:
    """Check that every claim of an article quotes a fragment that occurs exactly in its text."""
    from alliance_book import claims, data

    try:
        if not text_file.is_file():
            raise BookError(f"{text_file}: file not found")
        ledger = data.load("seed_claims")
        if article not in set(ledger["article"]):
            raise BookError(f"no claims for article {article!r} in {ledger.attrs['file']}")
        missing = claims.missing_fragments(ledger, article, text_file.read_text(encoding="utf-8"))
        if missing:
            raise BookError(f"{ledger.attrs['file']}: fragments not found in {text_file}: {', '.join(missing)}")
        n = int((ledger["article"] == article).sum())
        out.print(f"[green]ok[/] all {n} fragments of {article} occur in {text_file}")
    except BookError as exc:
        _fail(exc)


@app.command()
def validate() -> None:
    """Check every dataset against its schema, and the chapters' prose for typed numbers."""
    from alliance_book import data

    try:
        problems = data.validate_all()
        if problems:
            raise BookError("data do not match their schema:\n" + summarise(problems))
        _check_prose()
        out.print(f"[green]ok[/] {len(datapackage.resource_names())} datasets match their schema; "
                  "no number typed into the prose")
    except BookError as exc:
        _fail(exc)
