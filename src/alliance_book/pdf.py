"""The whole book as a PDF: built HTML → one paged document (Paged.js) → Chromium → a normalised PDF.

Each book (the default one and every edition in ``params/``) is built first if it is missing or
stale (``pipeline.build``, a no-op when nothing changed), then printed to ``_build/pdf``. The PDF
is written to a temporary file and moved into place, so a failure leaves the last good PDF and
the HTML book as they were. Identical inputs give identical bytes: no date, a deterministic /ID.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml

from alliance_book import datapackage, paths, pdfdoc, pipeline, provenance
from alliance_book.errors import BookError
from alliance_book.paths import Target

PDF_DIR = paths.BUILD / "pdf"
ORIGIN = "http://book.invalid"  # never resolved: every request is answered from disk
ASSETS = "__pdf__"  # the URL folder of the PDF's own stylesheet and scripts
STYLE = Path(__file__).with_name("pdf.css")
POLYFILL = Path("node_modules") / "pagedjs" / "dist" / "paged.polyfill.js"
TIMEOUT_MS = 300_000
# Paged.js starts by itself once the page has loaded, and says when every page is laid out.
CONFIG_JS = "window.PagedConfig = {auto: true, after: () => { window.pdfReady = true; }};"


@dataclass(frozen=True)
class Printed:
    """One PDF written: the book it was printed from, where, and its number of pages."""

    target: Target
    pdf: Path
    pages: int


def polyfill() -> Path:
    """Paged.js from npm (``make node_modules``): in the project, or in the checkout the package runs from."""
    for base in (paths.ROOT, Path(__file__).resolve().parents[2]):
        if (base / POLYFILL).is_file():
            return base / POLYFILL
    raise BookError(f"Paged.js is missing ({POLYFILL}); run `npm ci` (or `make node_modules`) in {paths.ROOT}")


def pdf_path(target: Target) -> Path:
    """``_build/pdf/alliance-book.pdf`` for the default book, ``alliance-book-NAME.pdf`` for an edition;
    another language's book adds its code: ``alliance-book.th.pdf``, ``alliance-book-NAME.ko.pdf``."""
    stem = "alliance-book" if target.is_default else f"alliance-book-{target.name}"
    return PDF_DIR / (f"{stem}.pdf" if target.is_source_language else f"{stem}.{target.language}.pdf")


# ---------------------------------------------------------------------------------------------
# The title page: title, edition, parameters that differ from the default book, build details.


def git_commit() -> str | None:
    """The checkout's commit (with "+ changes" when the work tree differs from it), or None."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    from alliance_book.i18n import _

    return _("{commit} + uncommitted changes").format(commit=commit) if dirty else commit


def data_version() -> str:
    """A short hash of the data package: its descriptor and every data file it lists."""
    files = [paths.DATAPACKAGE] + [datapackage.default_path(name) for name in datapackage.resource_names()]
    digest = hashlib.sha256("".join(provenance.file_hash(f) for f in files).encode())
    return digest.hexdigest()[:12]


def differing_parameters(target: Target) -> list[tuple[str, str, str, str]]:
    """(chapter, parameter, this book's value, the default book's value) for each parameter that differs."""
    from alliance_book import pages, params

    defaults = {run.name: json.loads(json.dumps(run.parameters, sort_keys=True, default=str)) for run in params.resolve()}
    rows = []
    for chapter in pages.toc_chapters(target):
        used = provenance.recorded_in(chapter).get("parameters", {})
        base = defaults.get(chapter.stem, {})
        for name in sorted(set(used) | set(base)):
            if used.get(name) != base.get(name):
                rows.append((chapter.stem, name, _show(used.get(name)), _show(base.get(name))))
    return rows


def _show(value: object) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def title_page(title: str, target: Target) -> str:
    """The title page's HTML, in the current language. It carries no date, so that rebuilds of the same
    inputs are identical."""
    from alliance_book.i18n import _

    # TRANSLATORS: the PDF's title page names an edition other than the default book; {name} is its file name.
    edition = _("Default edition") if target.is_default else _("Edition \u201c{name}\u201d").format(name=target.name)
    rows = "".join(f"<tr><td>{escape(c)}</td><td><code>{escape(n)}</code></td><td>{escape(v)}</td><td>{escape(d)}</td></tr>"
                   for c, n, v, d in differing_parameters(target))
    heads = "".join(f"<th>{escape(h)}</th>" for h in (_("Chapter"), _("Parameter"), _("This edition"), _("Default")))
    changed = (f"<table class='pdf-params'><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>" if rows
               else "<p>" + _("All parameters as in {file}.").format(file="<code>params/default.yaml</code>") + "</p>")
    commit = git_commit()
    details = [(_("Source"), _("git commit {commit}").format(commit=commit) if commit else _("not a git checkout")),
               # TRANSLATORS: {hash} is a short hash of the data files.
               (_("Data version"), _("sha256 {hash} (data/datapackage.json and its files)").format(hash=data_version())),
               (_("Typeset by"), _("Paged.js and Chromium, from the HTML book"))]
    build = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in details)
    return (f'<section class="pdf-title-page"><h1 class="pdf-book-title">{escape(title)}</h1>'
            f'<p class="pdf-edition">{escape(edition)}</p>{changed}<dl class="pdf-build">{build}</dl></section>')


# ---------------------------------------------------------------------------------------------
# Printing: serve the book from disk to Chromium, let Paged.js lay it out, save and normalise.


def _serve(page, html: Path, document: str, missing: list[str]) -> None:  # noqa: ANN001 - a Playwright Page
    """Answer every request of ``page`` from disk: the book's HTML root, the PDF's own assets, the document.

    What the book does not hold is answered 404 and listed in ``missing``.
    """
    own = {f"/{ASSETS}/book.html": ("text/html", document.encode()),
           f"/{ASSETS}/paged.polyfill.js": ("text/javascript", polyfill().read_bytes()),
           f"/{ASSETS}/config.js": ("text/javascript", CONFIG_JS.encode()),
           f"/{ASSETS}/pdf.css": ("text/css", STYLE.read_bytes())}

    def answer(route) -> None:  # noqa: ANN001 - a Playwright Route
        from urllib.parse import unquote, urlsplit

        path = unquote(urlsplit(route.request.url).path)
        if path in own:
            kind, body = own[path]
            route.fulfill(status=200, content_type=kind, body=body)
            return
        file = (html / path.lstrip("/")).resolve()
        if file.is_file() and file.is_relative_to(html.resolve()):
            route.fulfill(status=200, path=str(file))
        else:
            missing.append(path)
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", answer)


def _wait_for_layout(page, errors: list[str], title: str) -> None:  # noqa: ANN001 - a Playwright Page
    """Wait until Paged.js has laid out every page; stop at the first script error."""
    waited = 0
    while not page.evaluate("window.pdfReady === true"):
        if errors:
            raise BookError(f"Paged.js failed while laying out {title}: " + "; ".join(errors))
        if waited > TIMEOUT_MS:
            raise BookError(f"Paged.js did not finish laying out {title} in {TIMEOUT_MS // 1000} s")
        page.wait_for_timeout(250)
        waited += 250


def render(document: str, html: Path, out: Path, title: str) -> None:
    """Lay out ``document`` (served beside the book in ``html``) with Paged.js and print it to ``out``."""
    from alliance_book import browser

    errors: list[str] = []
    missing: list[str] = []
    with browser.chromium() as chromium:
        page = chromium.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route("**/*", lambda route: route.abort())  # nothing from the network
        _serve(page, html, document, missing)
        page.emulate_media(media="print")  # laid out as it is printed
        page.goto(f"{ORIGIN}/{ASSETS}/book.html", wait_until="load", timeout=TIMEOUT_MS)
        _wait_for_layout(page, errors, title)
        if missing:
            raise BookError(f"{title}: files the book links are missing from {paths.display(html)}: "
                            + ", ".join(sorted(set(missing))))
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)


def source_date() -> str | None:
    """A PDF date from ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds' convention), else None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    import datetime as dt

    when = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return when.strftime("D:%Y%m%d%H%M%SZ")


def renumber_structure_ids(pdf) -> None:  # noqa: ANN001 - a pikepdf.Pdf
    """Number the tagged structure's element ids 0, 1, 2... in their order.

    Chromium names each structure element after its DOM node id (``node00000515``), which depends
    on how many nodes the renderer made before, and differs from one print to the next.
    """
    import pikepdf

    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/IDTree" not in root:
        return
    renumbered = pikepdf.NameTree.new(pdf)
    new_id: dict[str, pikepdf.String] = {}
    for i, (old, element) in enumerate(pikepdf.NameTree(root.IDTree).items()):
        new_id[str(old)] = element.ID = pikepdf.String(f"node{i:08d}")
        renumbered[f"node{i:08d}"] = element
    root.IDTree = renumbered.obj
    for obj in pdf.objects:  # table cells name their header cells by id
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem" and "/A" in obj:
            attributes = obj.A if isinstance(obj.A, pikepdf.Array) else [obj.A]
            for attribute in attributes:
                if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                    attribute.Headers = pikepdf.Array([new_id.get(str(h), h) for h in attribute.Headers])


def normalise(raw: Path, out: Path, title: str) -> int:
    """Rewrite a PDF with no wall-clock date, stable structure ids and a /ID from its content; return its page count."""
    import pikepdf

    with pikepdf.open(raw) as pdf:
        for key in ("/CreationDate", "/ModDate"):
            if key in pdf.docinfo:
                del pdf.docinfo[key]
        date = source_date()
        if date:
            pdf.docinfo["/CreationDate"] = pdf.docinfo["/ModDate"] = pikepdf.String(date)
        pdf.docinfo["/Title"] = pikepdf.String(title)
        renumber_structure_ids(pdf)
        if "/ID" in pdf.trailer:  # qpdf keeps the first half of an old /ID; both halves come from the content
            del pdf.trailer["/ID"]
        if "/Metadata" in pdf.Root:  # XMP repeats the dates; the document information is enough
            del pdf.Root["/Metadata"]
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        return len(pdf.pages)


def book_title(target: Target) -> str:
    """The title in the book's ``_config.yml``."""
    config = yaml.safe_load((target.source / "_config.yml").read_text(encoding="utf-8"))
    return str(config.get("title", "The book"))


def print_book(target: Target) -> Printed:
    """Print a built book to its PDF in ``_build/pdf``; the previous PDF stays until the new one is complete."""
    html = target.html.resolve()
    if not (html / "index.html").is_file():
        raise BookError(f"no built book in {paths.display(target.html)}; build it first")
    title = book_title(target)
    pages = pdfdoc.read_book(html, target.source)
    theme = ["/" + s for s in pdfdoc.stylesheets(html, pdfdoc.root_page(target.source))]
    from alliance_book import i18n

    with i18n.language(target.language):
        document = pdfdoc.document(title, title_page(title, target), pages, theme, [f"/{ASSETS}/pdf.css"],
                                   [f"/{ASSETS}/config.js", f"/{ASSETS}/paged.polyfill.js"], lang=target.language)
    out = pdf_path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".printing-") as work:
        raw, final = Path(work) / "raw.pdf", Path(work) / out.name
        render(document, html, raw, title)
        count = normalise(raw, final, title)
        os.replace(final, out)
    return Printed(target, out, count)


# ---------------------------------------------------------------------------------------------
# Which books: the default one and each edition in params/.


def edition_files() -> dict[str, Path]:
    """Each edition shipped in ``params/`` (every YAML file but the defaults), by name."""
    from alliance_book import params

    return {f.stem: f for f in params.edition_files()}


def ensure_built(name: str, jobs: int | None = None, progress: pipeline.Progress | None = None,
                 languages: list[str] | None = None) -> Target:
    """The book called ``name``, built or brought up to date first (an edition from its params file).

    An edition without a file in ``params/`` (built with ``-p``) cannot be rebuilt here: it is
    printed as it was last built.
    """
    files = edition_files()
    if name == paths.DEFAULT_EDITION:
        return pipeline.build(jobs=jobs, progress=progress, languages=languages).target
    if name in files:
        return pipeline.build(files=[files[name]], jobs=jobs, edition=name, progress=progress, languages=languages).target
    target = paths.edition_target(name)
    if not (target.html / "index.html").is_file():
        known = ", ".join([paths.DEFAULT_EDITION, *files]) or "none"
        raise BookError(f"no edition {name!r}: no params/{name}.yaml and no built book in "
                        f"{paths.display(target.html)}; editions: {known}")
    return target


def print_all(names: list[str] | None = None, jobs: int | None = None,
              progress: pipeline.Progress | None = None, languages: list[str] | None = None) -> list[Printed]:
    """Build (if needed) and print each named book; by default the default book and every edition in params/.

    ``languages`` (``["th"]``, ``["all"]``) prints each book in those languages too (English always).
    """
    names = names or [paths.DEFAULT_EDITION, *edition_files()]
    langs = pipeline.resolve_languages(languages) if languages else [paths.SOURCE_LANGUAGE]
    english = [ensure_built(name, jobs, progress, languages if languages else None) for name in names]
    targets = [t.in_language(lang) for t in english for lang in langs]
    with pipeline.exclusive():  # no build replaces a book while it is being printed
        return [print_book(target) for target in targets]
