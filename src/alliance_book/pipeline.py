"""The whole pipeline as an API: validate → execute → pages → Sphinx → publish.

``build`` checks parameters and data before any kernel starts, executes the notebooks whose
inputs changed (``execute``), writes the generated pages, builds the HTML and publishes it,
holding the project's lock so that one build works at a time. The CLI only parses arguments and
prints what it reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance_book import datapackage, paths
from alliance_book.errors import MAX_REPORTED, BookError, summarise
from alliance_book.paths import Target

Parameters = list[tuple[str, str]]


@dataclass
class Progress:
    """Callbacks for what a run reports as it goes (all optional)."""

    started: Callable[[int, int], None] = lambda runs, workers: None
    outcome: Callable[[Any], None] = lambda outcome: None


@dataclass
class Built:
    """What a build did: its target, the chapters executed, and whether the HTML was rebuilt."""

    target: Target
    executed: list[str] = field(default_factory=list)
    rebuilt: bool = False
    # The same book in other languages: each language's target and whether its HTML was rebuilt,
    # and how much of each language's text is translated.
    languages: dict[str, tuple[Target, bool]] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)


@contextmanager
def exclusive() -> Iterator[None]:
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


def validate_inputs(runs: list) -> None:
    """Check every dataset, and every file a run swaps in, before any kernel starts.

    Files that already passed every check unchanged are not read again.
    """
    from alliance_book import params

    todo = [(name, datapackage.default_path(name), {}) for name in datapackage.resource_names()]
    for run in runs:
        files = {dataset: file for _nb, dataset, file in params.data_overrides([run])}
        todo += [(dataset, file, files) for dataset, file in files.items()]
    pending = [t for t in todo if not datapackage.is_validated(*t)]
    if pending:
        from alliance_book import data

        problems: list[str] = []
        for name, file, related in pending:
            problems += [p for p in data.check(name, file, related=related)[1] if p not in problems]
        if problems:
            raise BookError("data do not match their schema (nothing was run):\n" + summarise(problems))
    from alliance_book import checks

    wrong = [p for run in runs for p in checks.problems(run.name, run.declared | run.parameters)]
    if wrong:
        raise BookError("parameters or files do not fit the data (nothing was run):\n" + summarise(list(dict.fromkeys(wrong))))


def check_prose() -> None:
    """Refuse quantities typed into the chapters' prose (they must be glued from the data)."""
    from alliance_book import params, prose

    pages = [paths.BOOK / name for name in ("intro.md", "conclusion.md", "glossary.md") if (paths.BOOK / name).is_file()]
    typed = prose.check_book(params.notebooks(), pages)
    if typed:
        lines = "\n".join(str(t) for t in typed[:MAX_REPORTED])
        raise BookError(f"numbers typed into the prose; glue them from the data instead (myst-nb glue):\n{lines}")


def validate() -> int:
    """Check every dataset against its schema and the prose for typed numbers; return the number of datasets."""
    from alliance_book import data

    problems = data.validate_all()
    if problems:
        raise BookError("data do not match their schema:\n" + summarise(problems))
    check_prose()
    return len(datapackage.resource_names())


def execute(
    notebooks: list[str] | None = None,
    parameters: Parameters | None = None,
    files: list[Path] | None = None,
    jobs: int | None = None,
    force: bool = False,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[str]:
    """Check parameters and data, execute the notebooks that need it; return the names of those executed.

    The caller holds the lock (``exclusive``).
    """
    from alliance_book import execute as executor
    from alliance_book import params

    progress = progress or Progress()
    runs = params.resolve(notebooks, parameters, files)
    validate_inputs(runs)
    if not notebooks:  # a whole book: drop chapters whose source notebook was removed
        keep = {run.notebook.name for run in runs}
        for old in (out_dir or paths.CHAPTERS).glob("*.ipynb"):
            if old.name not in keep:
                old.unlink()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(runs)))
    progress.started(len(runs), workers)
    outcomes = executor.execute_all(runs, out_dir=out_dir, jobs=workers, force=force, report=progress.outcome,
                                    meanwhile=meanwhile)
    return [o.name for o in outcomes if o.executed]


def target_for(edition: str | None, parameters: Parameters | None, files: list[Path] | None) -> Target:
    """The default book, or an edition (named, or named after the last -f file, or 'custom' for -p)."""
    if edition is None and (files or parameters):
        edition = Path(files[-1]).stem if files else "custom"
    return paths.edition_target(edition) if edition else paths.default_target()


def resolve_languages(languages: list[str] | None) -> list[str]:
    """The languages asked for (``all`` for every one), checked against the book's; English first."""
    from alliance_book import i18n

    known = i18n.languages()
    asked = known if not languages or "all" in languages else list(dict.fromkeys(languages))
    unknown = [lang for lang in asked if lang not in known]
    if unknown:
        raise BookError(f"--language {', '.join(unknown)}: the book has {', '.join(known)} "
                        f"(a language needs its catalogs in {paths.display(paths.LOCALES)}/LANG/LC_MESSAGES), or 'all'")
    return [lang for lang in known if lang in asked]


def build(notebooks: list[str] | None = None, parameters: Parameters | None = None, files: list[Path] | None = None,
          jobs: int | None = None, force: bool = False, edition: str | None = None,
          progress: Progress | None = None, languages: list[str] | None = None) -> Built:
    """Run the notebooks that need it, write the generated pages, build and publish the HTML.

    With the default parameters the book goes to ``_build/html``; with ``files`` or ``parameters``
    (or a named ``edition``) to ``_build/editions/NAME/html``, leaving the default book as it is.
    ``languages`` (e.g. ``["th"]`` or ``["all"]``) also builds the book in those languages beside
    the English one (``_build/th/html``), from the same executed chapters.
    """
    from alliance_book import pages

    target = target_for(edition, parameters, files)
    others = [lang for lang in resolve_languages(languages) if lang != target.language] if languages else []
    if not target.is_default:
        notebooks = None  # an edition holds every chapter; those whose inputs are unchanged are reused
    check_prose()
    with exclusive():
        # The data-sources page needs only the data: it is written while the notebooks run.
        executed = execute(notebooks, parameters, files, jobs, force, out_dir=target.chapters, progress=progress,
                           meanwhile=lambda: pages.write_generated(target=target))
        rebuilt = assemble(target, executed, force)
        built = Built(target, executed, rebuilt)
        if others:
            built.languages, built.coverage = assemble_languages(target, others, force)
    return built


def assemble_languages(target: Target, languages: list[str], force: bool = False) -> tuple[dict, dict]:
    """Build ``target`` (English, assembled) in each of ``languages``; and each one's coverage.

    Nothing is executed: each language's book is built from a localised copy of the executed
    chapters. The caller holds the lock.
    """
    from alliance_book import i18n, localised, sphinxbuild, translations

    built: dict[str, tuple[Target, bool]] = {}
    pot = translations.extract_if_changed(target)
    coverage = {lang: translations.coverage(lang, pot) for lang in languages}
    for lang in languages:
        with i18n.language(lang):
            lang_target = localised.prepare_source(target, lang)
            built[lang] = (lang_target, sphinxbuild.build_html(force=force, target=lang_target))
    return built, coverage


def assemble(target: Target, executed: list[str], force: bool = False) -> bool:
    """The stages after execution: change report, edition pages, HTML, publishing; True if the HTML was rebuilt.

    The target's executed chapters are in place; the caller holds the lock (``exclusive``).
    """
    from alliance_book import changes, pages, sphinxbuild

    report = edition_md = edition_json = None
    if executed or not (target.base / "manifest.json").is_file():
        chapters = pages.toc_chapters(target)
        new_manifest, report = changes.record_build(chapters, executed, base=target.base)
        edition_md, edition_json = pages.edition_pages(target, chapters)
    pages.write_generated(changes_md=report, target=target, edition_md=edition_md, edition_json=edition_json)
    rebuilt = sphinxbuild.build_html(force=force, target=target)
    if report is not None:
        changes.publish_manifest(new_manifest, report, base=target.base)
    return rebuilt
