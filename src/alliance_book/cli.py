"""The ``alliance-book`` command: parse arguments, call ``pipeline``, print what it reports.

Heavy modules (pandas, papermill, frictionless) are imported only when there is work for them,
so a rebuild with nothing to do returns in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from alliance_book import paths, pipeline
from alliance_book.errors import BookError

app = typer.Typer(help="Build the ROK-US alliance book: validated data -> parameterized notebooks -> HTML.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

# Typer has no repeatable two-value option, so `-p NAME VALUE` is read from the extra arguments.
EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
RUN_HELP = ("Arguments: [NOTEBOOK ...] notebooks by name (e.g. 01_alliance_phases), all by default; "
            "-p/--parameter NAME VALUE sets a parameter, repeatable, as in papermill.")
FileOpt = Annotated[Optional[list[Path]], typer.Option("--parameters-file", "-f", metavar="PARAMS.yaml",
                                                       help="A YAML file of parameters (repeatable).")]
JobsOpt = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1,
                                                help="Notebooks executed at once (default: the number of cores).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Re-execute every notebook and rebuild every page.")]
LanguageOpt = Annotated[Optional[list[str]], typer.Option("--language", "-l", metavar="LANG",
                        help="Also build the book in this language (th, ko; repeatable), or 'all', beside the "
                             "English book (_build/LANG/html).")]
EditionOpt = Annotated[Optional[str], typer.Option("--edition", help="Build a separate edition into "
                       "_build/editions/NAME/html (default when -f or -p is given: the last -f file's name, or 'custom').")]


def split_args(args: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Notebook names and ``-p NAME VALUE`` pairs from the command's extra arguments."""
    notebooks: list[str] = []
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        if args[i] in ("-p", "--parameter"):
            if len(args) - i < 3:
                raise BookError(f"{args[i]} needs a NAME and a VALUE, e.g. -p start_year 1970")
            pairs.append((args[i + 1], args[i + 2]))
            i += 3
        elif args[i].startswith("-") and len(args[i]) > 1:
            raise BookError(f"unknown option {args[i]!r}; see --help")
        else:
            notebooks.append(args[i])
            i += 1
    return notebooks, pairs


def _progress() -> pipeline.Progress:
    def outcome(o) -> None:  # noqa: ANN001 - an execute.Outcome (not imported: it loads papermill)
        if o.executed:
            out.print(f"  [green]ran[/]    {o.name} in {o.seconds:.1f} s ({o.reason})", soft_wrap=True)
        else:
            out.print(f"  [cyan]reused[/] {o.name} ({o.reason})")

    return pipeline.Progress(
        started=lambda n, workers: out.print(f"[bold]run[/] {n} notebook(s), up to {workers} at a time"),
        outcome=outcome)


def _fail(exc: BookError) -> None:
    # The message is printed as text, never as console markup: "[...]" in a value stays as given.
    err.print("[bold red]error:[/] ", end="")
    err.print(str(exc), markup=False, soft_wrap=True)
    raise typer.Exit(1)


def _build(ctx: typer.Context, parameters_file: list[Path] | None, jobs: int | None, force: bool,
           edition: str | None, language: list[str] | None = None) -> None:
    try:
        done = pipeline.build(*split_args(ctx.args), parameters_file, jobs, force, edition, progress=_progress(),
                              languages=language)
    except BookError as exc:
        _fail(exc)
    t = done.target
    where, label = paths.display(t.html / "index.html"), "" if t.is_default else f" (edition {t.name})"
    if done.rebuilt:
        out.print(f"[bold]build[/] [green]done[/]{label} {where}; changes: {paths.display(t.base / 'changes.md')}", soft_wrap=True)
    else:
        out.print(f"[bold]build[/] nothing changed{label}: {where} is up to date")
    for lang, (target, rebuilt) in done.languages.items():
        state = "[green]done[/]" if rebuilt else "nothing changed"
        out.print(f"[bold]build[/] {state} ({lang}) {paths.display(target.html / 'index.html')}", soft_wrap=True)
        for line in done.coverage[lang].lines():
            out.print(line, markup=False, soft_wrap=True)
    serve = "make preview" + ("" if t.is_default else f" EDITION={t.name}")
    out.print(f"Open {where}, or run `{serve}` and visit http://localhost:8000/html/", markup=False, soft_wrap=True)


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def run(ctx: typer.Context, parameters_file: FileOpt = None, jobs: JobsOpt = None, force: ForceOpt = False,
        edition: EditionOpt = None) -> None:
    """Change data or parameters, see the book: the same as build (kept for the worked examples)."""
    _build(ctx, parameters_file, jobs, force, edition)


@app.command(context_settings=EXTRA_ARGS, epilog=RUN_HELP)
def build(ctx: typer.Context, parameters_file: FileOpt = None, jobs: JobsOpt = None, force: ForceOpt = False,
          edition: EditionOpt = None, language: LanguageOpt = None) -> None:
    """Run the notebooks that need it, then build the HTML book (an edition of its own with -f or -p)."""
    _build(ctx, parameters_file, jobs, force, edition, language)


@app.command("translations")
def translations_command(
    action: Annotated[str, typer.Argument(help="'update': extract the English and update locales/; "
                                               "'status': each language's coverage, untranslated and stale messages.")],
    language: LanguageOpt = None,
    only: Annotated[Optional[str], typer.Option("--only", help="update: 'pages' or 'code' catalogs only.")] = None,
) -> None:
    """Message catalogs of the Thai and Korean books (Sphinx gettext, sphinx-intl layout in locales/)."""
    from alliance_book import translations

    try:
        langs = [lang for lang in pipeline.resolve_languages(language) if lang != "en"]
        if action == "update":
            for lang, n in translations.update(langs, only).items():
                out.print(f"[bold]translations[/] {lang}: {n} catalogs updated in {paths.display(paths.LOCALES / lang)}")
        elif action != "status":
            raise BookError(f"translations {action!r}: use 'update' or 'status'")
        pot = translations.extract_if_changed(paths.default_target())
        incomplete = False
        for lang in langs:
            cov = translations.coverage(lang, pot)
            incomplete |= not cov.complete or bool(cov.stale)
            for line in cov.lines(most=50):
                out.print(line, markup=False, soft_wrap=True)
        if incomplete and action == "status":
            raise typer.Exit(1)
    except BookError as exc:
        _fail(exc)


@app.command("pdf")
def pdf_command(
    edition: Annotated[Optional[list[str]], typer.Option("--edition", help="Print only this book (repeatable): "
                       "'default' or an edition's name; by default the default book and every edition in params/.")] = None,
    jobs: JobsOpt = None,
    language: LanguageOpt = None,
) -> None:
    """Print the whole book, and each edition, to _build/pdf (building first what is missing or stale)."""
    from alliance_book import pdf

    try:
        for printed in pdf.print_all(edition, jobs, progress=_progress(), languages=language):
            label = "" if printed.target.is_default else f" (edition {printed.target.name})"
            label += "" if printed.target.is_source_language else f" ({printed.target.language})"
            out.print(f"[bold]pdf[/] [green]done[/]{label} {paths.display(printed.pdf)}: {printed.pages} pages",
                      soft_wrap=True)
    except BookError as exc:
        _fail(exc)


@app.command()
def diff(old: Annotated[Path, typer.Argument(help="The earlier build: a folder with manifest.json, or the file.")],
         new: Annotated[Path, typer.Argument(help="The later build, likewise.")]) -> None:
    """Report what changed between two builds: glued values, figures, and why chapters re-ran."""
    from alliance_book import changes

    try:
        out.print(changes.markdown(changes.compare(changes.read(old), changes.read(new)), everything=True), markup=False)
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
        n = claims.check_fragments(article, text_file)
        out.print(f"[green]ok[/] all {n} fragments of {article} occur in {text_file}")
    except BookError as exc:
        _fail(exc)


@app.command("params")
def list_params(notebook: Annotated[Optional[str], typer.Argument(help="A notebook by name; all by default.")] = None) -> None:
    """List each notebook's parameters: type, default and meaning (from its parameters cell)."""
    from rich.table import Table

    from alliance_book import explain, params

    try:
        for path in params.notebooks([notebook] if notebook else None):
            table = Table("Parameter", "Type", "Default", "Meaning", title=path.stem, title_justify="left")
            for row in explain.describe(path):
                table.add_row(row["name"], row["type"], row["default"], row["meaning"])
            out.print(table)
    except BookError as exc:
        _fail(exc)


@app.command()
def validate() -> None:
    """Check every dataset against its schema, and the chapters' prose for typed numbers."""
    try:
        n = pipeline.validate()
        out.print(f"[green]ok[/] {n} datasets match their schema; no number typed into the prose")
    except BookError as exc:
        _fail(exc)


@app.command("sweep")
def sweep_command(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP.yaml", help="A sweep file: a grid and/or a list of editions.")],
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", min=1, help="Worker processes of the local "
                       "cluster, one thread each (default: the number of cores).")] = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="tcp://HOST:PORT", help="Use a running "
                         "Dask cluster (dask scheduler / dask worker) instead of a local one.")] = None,
) -> None:
    """Build many editions on a Dask cluster, each distinct chapter executed once; exit 1 if any edition failed."""
    from alliance_book import sweep

    progress = sweep.Progress(
        started=lambda chapters, editions, cluster: out.print(
            f"[bold]sweep[/] {chapters} distinct chapter(s) and {editions} edition(s) on {cluster}", soft_wrap=True),
        done=lambda done, total, what: out.print(f"  [{done}/{total}, {total - done} left] {what}", markup=False,
                                                 soft_wrap=True))
    try:
        summary = sweep.run(sweep_file, workers=workers, scheduler=scheduler, progress=progress)
    except BookError as exc:
        _fail(exc)
    editions = summary.sweep.editions
    built = sum(e.status == "built" for e in editions)
    current = sum(e.status == "up to date" for e in editions)
    out.print(f"[bold]sweep {summary.sweep.name}[/]: {built} edition(s) built, {current} up to date, "
              f"{len(summary.failed)} failed; chapters: {len(summary.executed)} executed, "
              f"{len(summary.reused)} reused from the store ({summary.seconds:.0f} s)", soft_wrap=True)
    for e in summary.failed:
        err.print(f"[bold red]failed[/] {e.name}: ", end="")
        err.print(e.error, markup=False, soft_wrap=True)
    out.print(f"Index of the sweep: {paths.display(summary.index)}", markup=False, soft_wrap=True)
    if summary.failed:
        raise typer.Exit(1)
