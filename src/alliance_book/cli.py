"""The ``alliance-book`` command: validate data, run notebooks, build the book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from alliance_book import data, paths
from alliance_book.errors import BookError

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


def _validate(runs: list) -> None:
    from alliance_book import params

    problems = data.validate_all()
    for run in runs:
        files = {dataset: file for _nb, dataset, file in params.data_overrides([run])}
        for dataset, file in files.items():
            problems += [p for p in data.check(dataset, file, related=files)[1] if p not in problems]
    if problems:
        raise BookError("data do not match their schema (nothing was run):\n" + data.summarise(problems))


def _check_prose() -> None:
    """Refuse quantities typed into the chapters' prose (they must be glued from the data)."""
    from alliance_book import params, prose

    typed = prose.check_book(params.notebooks(), [paths.BOOK / "intro.md"])
    if typed:
        lines = "\n".join(str(t) for t in typed[: data.MAX_REPORTED])
        raise BookError(f"numbers typed into the prose; glue them from the data instead (myst-nb glue):\n{lines}")


def _run(notebooks: list[str] | None, parameter: list[tuple[str, str]] | None, parameters_file: list[Path] | None) -> list[str]:
    """Check parameters and data, execute the notebooks; return the names of those executed."""
    from alliance_book import execute, params

    runs = params.resolve(notebooks, parameter, parameters_file)
    _validate(runs)

    def report(run: params.Run, seconds: float) -> None:
        out.print(f"  [green]done[/] {run.name} in {seconds:.1f} s -> {paths.display(execute.output_path(run))}")

    for run in runs:
        shown = ", ".join(f"{k}={v!r}" for k, v in run.parameters.items()) or "defaults"
        out.print(f"[bold]run[/] {run.name} ({shown})", soft_wrap=True)
        execute.execute_all([run], report=report)
    return [run.name for run in runs]


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def run(ctx: typer.Context, parameters_file: FileOpt = None) -> None:
    """Execute notebooks with the default parameters, overridden by -f files and -p values."""
    try:
        _run(*_split_args(ctx.args), parameters_file)
    except BookError as exc:
        _fail(exc)


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def build(ctx: typer.Context, parameters_file: FileOpt = None) -> None:
    """Run the notebooks, then build the HTML book into _build/html."""
    from alliance_book import build as builder
    from alliance_book import changes

    try:
        _check_prose()
        executed = _run(*_split_args(ctx.args), parameters_file)
        new_manifest, report = changes.record_build(builder.toc_chapters(), executed)
        builder.write_generated(changes_md=report)
        out.print("[bold]build[/] jupyter-book (all pages)")
        html = builder.build_html()
        changes.publish_manifest(new_manifest, report)
        out.print(f"  [green]done[/] {paths.display(html / 'index.html')}; changes: {paths.display(paths.BUILD / 'changes.md')}")
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
    from alliance_book import claims

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
    try:
        problems = data.validate_all()
        if problems:
            raise BookError("data do not match their schema:\n" + data.summarise(problems))
        _check_prose()
        out.print(f"[green]ok[/] {len(data.resource_names())} datasets match their schema; no number typed into the prose")
    except BookError as exc:
        _fail(exc)

