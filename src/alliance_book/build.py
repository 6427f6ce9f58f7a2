"""Build the HTML book with jupyter-book from the executed chapters.

A build has a target: the default book (``_build/html``, from the project's own pages) or an
edition built with other parameters (``_build/editions/NAME/html``, from a copy of the pages
with that edition's chapters), so that an edition never touches the default book. Sphinx
works incrementally in the target's ``.sphinx`` folder; the result is published by replacing
one link, so a failed or killed build leaves the last good book in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from alliance_book import paths, provenance, store
from alliance_book.errors import BookError



@dataclass(frozen=True)
class Target:
    """Where one book is built from and to."""

    name: str
    source: Path  # the Sphinx source folder: _config.yml, _toc.yml, book/
    base: Path  # its build folder

    @property
    def book(self) -> Path:
        return self.source / "book"

    @property
    def chapters(self) -> Path:
        return self.book / "chapters"

    @property
    def generated(self) -> Path:
        return self.book / "_generated"

    @property
    def html(self) -> Path:
        return self.base / "html"

    @property
    def sphinx(self) -> Path:
        return self.base / ".sphinx"

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT


DEFAULT = "default"
EDITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def default_target() -> Target:
    """The default book: the project's own pages, published in ``_build/html``."""
    return Target(DEFAULT, paths.ROOT, paths.BUILD)


def edition_target(name: str) -> Target:
    """An edition: a copy of the pages with its own chapters, published in ``_build/editions/NAME/html``."""
    if not EDITION_NAME.fullmatch(name) or name == DEFAULT:
        raise BookError(f"edition name {name!r}: use letters, digits, '-', '_' or '.', and not {DEFAULT!r}")
    base = paths.BUILD / "editions" / name
    return Target(name, base / "src", base)


def sync_edition_source(target: Target) -> None:
    """Copy the configuration and the hand-written pages into an edition's source folder.

    A file is copied only when it differs, so Sphinx re-reads only what changed.
    """
    pairs = [(paths.CONFIG, target.source / "_config.yml"), (paths.TOC, target.source / "_toc.yml")]
    for page in paths.BOOK.rglob("*"):
        rel = page.relative_to(paths.BOOK)
        if page.is_file() and rel.parts[0] not in ("chapters", "_generated"):
            pairs.append((page, target.book / rel))
    for src, dst in pairs:
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def _jupyter_book() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jupyter_book.cli.main"]


def toc_chapters(target: Target | None = None) -> list[Path]:
    """Executed notebooks the table of contents expects under ``book/chapters/``."""
    target = target or default_target()
    toc = yaml.safe_load(paths.TOC.read_text(encoding="utf-8"))
    found: list[Path] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if isinstance(file, str) and file.startswith("book/chapters/"):
                found.append(target.source / f"{file}.ipynb")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(field: dict[str, Any]) -> str:
    c = dict(field.get("constraints", {}))
    c.pop("required", None)
    parts = []
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c.pop("enum")))
    if "pattern" in c:
        parts.append(f"pattern `{c.pop('pattern')}`")
    parts += [f"{k} {v}" for k, v in c.items()]
    return "; ".join(parts)


def data_sources_markdown() -> str:
    """The body of the data-sources page, written from ``data/datapackage.json``."""
    from alliance_book import data

    out = []
    for res in data.package()["resources"]:
        out += [f"## {res.get('title', res['name'])}", ""]
        out += [f"File `data/{res['path']}` (dataset `{res['name']}`, notebook parameter "
                f"`{res.get('parameter', '-')}`).", ""]
        out += [res.get("description", ""), ""]
        licences = "; ".join(lic.get("title", lic.get("name", "")) for lic in res.get("licenses", []))
        out += [f"**Terms:** {licences}", "", "**Sources:**", ""]
        for src in res.get("sources", []):
            out.append(
                f"- {src.get('producer', '')}: *{src.get('title', '')}*. <{src.get('path', '')}> "
                f"(accessed {src.get('accessed', 'n/a')}; terms: {src.get('license', 'n/a')}). "
                f"Citation: {src.get('citation', 'n/a')}"
            )
        out += ["", "**Fields:**", "", "| Field | Type | Required | Rule | Meaning |", "|---|---|---|---|---|"]
        table_schema = data.schema(res["name"])
        for f in table_schema["fields"]:
            required = "yes" if f.get("constraints", {}).get("required") else "no"
            meaning = f.get("description", f.get("title", ""))
            out.append(f"| `{f['name']}` | {f['type']} | {required} | {_cell(_constraints(f))} | {_cell(meaning)} |")
        key = table_schema.get("primaryKey")
        if key:
            out += ["", f"One row per {', '.join(f'`{k}`' for k in key)}."]
        df = data.load(res["name"])
        if {"source", "source_url"} <= set(df.columns):
            out += ["", "**Sources of the rows:**", "", "| Source | URL | Rows |", "|---|---|---|"]
            counted = df.groupby(["source", "source_url"], sort=False).size()
            for (source, url), n in counted.items():
                out.append(f"| {_cell(source)} | <{url}> | {n} |")
        out.append("")
    return "\n".join(out)


def _sources_page_key() -> str:
    """What the data-sources page depends on: the package, its schema files, the data, this module."""
    from alliance_book import datapackage

    files = [paths.DATAPACKAGE, Path(__file__)] + sorted(paths.DATA.glob("*.json"))
    files += [datapackage.default_path(name) for name in datapackage.resource_names()]
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.name).encode() + (f.read_bytes() if f.is_file() else b"missing"))
    return digest.hexdigest()


def edition_markdown(target: Target, chapters: list[Path]) -> str:
    """What the front page says of this edition: its name, and each chapter's parameters and data."""
    import nbformat

    if target.is_default:
        lines = ["This is the **default edition**, built with the parameters in `params/default.yaml`."]
    else:
        lines = [f"This is the edition **{target.name}**, built with other parameters than the default "
                 "book; the parameters and data files of each chapter are listed below."]
    lines += ["", "| Chapter | Parameters | Data files read |", "|---|---|---|"]
    for path in chapters:
        inputs = provenance.recorded(nbformat.read(path, as_version=4))
        shown = "; ".join(f"`{k}` = `{json.dumps(v, ensure_ascii=False)}`" for k, v in inputs.get("parameters", {}).items())
        files = ", ".join(f"`{f}`" for f in inputs.get("data", {}) if f.endswith(".csv"))
        lines.append(f"| {path.stem} | {_cell(shown) or 'defaults'} | {_cell(files) or '-'} |")
    return "\n".join(lines) + "\n"


def write_generated(changes_md: str | None = None, target: Target | None = None, edition_md: str | None = None) -> None:
    """Write the parts of pages generated at build time under ``book/_generated/``.

    The data-sources list comes from ``data/datapackage.json`` (recomputed only when the package
    or the data changed); the change report and the edition note, when given, from this build.
    """
    target = target or default_target()
    target.generated.mkdir(parents=True, exist_ok=True)
    key = _sources_page_key()
    sources = store.get("pages", key)
    if sources is None:
        sources = data_sources_markdown()
        store.put("pages", key, sources)
    pages = {"data_sources.md": sources}
    if changes_md is not None:
        # The report's own title is the page's; keep only its body.
        pages["changes.md"] = changes_md.split("\n", 2)[2] if changes_md.startswith("# ") else changes_md
    if edition_md is not None:
        pages["edition.md"] = edition_md
    for name, default in (("changes.md", "No report: the book was built without the pipeline.\n"),
                          ("edition.md", "Built without the pipeline: no record of its parameters.\n")):
        if name not in pages and not (target.generated / name).is_file():
            pages[name] = default
    for name, text in pages.items():
        file = target.generated / name
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")


def html_inputs(target: Target | None = None) -> dict[str, str]:
    """Hash of every file the HTML is built from: configuration, pages, executed chapters, environment."""
    target = target or default_target()
    files = [target.source / "_config.yml", target.source / "_toc.yml", paths.ROOT / "requirements.lock"]
    files += sorted(p for p in target.book.rglob("*") if p.is_file() and not p.name.startswith("."))
    return {str(f.relative_to(target.source)) if f.is_relative_to(target.source) else f.name: provenance.file_hash(f)
            for f in files}


_IMAGE_REF = re.compile(r'_images/([^"\'?#)\s]+)')
_CROSS_PAGE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)::")


def _touch_cross_page_readers(old: dict[str, str], new: dict[str, str], target: Target | None = None) -> list[Path]:
    """Mark for re-reading every page that glues (``path::key``) from a chapter whose file changed.

    Sphinx re-reads a page only when its own file changed; a value glued from another page would
    otherwise stay stale.
    """
    book, chapters = (target.book, target.chapters) if target else (paths.BOOK, paths.CHAPTERS)
    changed = {Path(f).stem for f in new if f.startswith("book/chapters/") and old.get(f) != new[f]}
    touched: list[Path] = []
    if not changed:
        return touched
    for page in sorted(book.rglob("*.md")) + sorted(chapters.glob("*.ipynb")):
        text = page.read_text(encoding="utf-8")
        if any(Path(ref).stem in changed for ref in _CROSS_PAGE.findall(text)):
            page.touch()
            touched.append(page)
    return touched


def export_downloads(chapter: Path, folder: Path) -> list[tuple[str, str]]:
    """A chapter's figures (SVG and PNG), tables (CSV) and executed notebook as files; (label, name) each."""
    import base64

    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chapter, folder / chapter.name)
    made = [("Executed notebook", chapter.name)]
    nb = nbformat.read(chapter, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            key, prefix = meta.get("name"), meta.get("mime_prefix", "")
            bundle = {m.removeprefix(prefix): v for m, v in out.get("data", {}).items()} if key else {}
            if "image/svg+xml" in bundle:
                svg = bundle["image/svg+xml"]
                (folder / f"{key}.svg").write_text("".join(svg) if isinstance(svg, list) else svg, encoding="utf-8")
                made.append((f"Figure {key} (SVG)", f"{key}.svg"))
            if "image/png" in bundle:
                (folder / f"{key}.png").write_bytes(base64.b64decode(bundle["image/png"]))
                made.append((f"Figure {key} (PNG)", f"{key}.png"))
            if "text/csv" in bundle:
                csv_text = bundle["text/csv"]
                (folder / f"{key}.csv").write_text("".join(csv_text) if isinstance(csv_text, list) else csv_text,
                                                   encoding="utf-8")
                made.append((f"Table {key} (CSV)", f"{key}.csv"))
    return made


def _add_downloads(html: Path, target: Target) -> None:
    """Write each chapter's downloads next to its page and link them at the end of the page."""
    from html import escape

    for chapter in toc_chapters(target):
        page = html / chapter.relative_to(target.source).with_suffix(".html")
        if not page.is_file():
            continue
        made = export_downloads(chapter, page.parent / "downloads" / chapter.stem)
        items = "".join(f'<li><a href="downloads/{chapter.stem}/{escape(name)}" download>{escape(label)}</a></li>'
                        for label, name in made)
        block = (f'<section id="downloads" class="chapter-downloads"><h2>Downloads</h2>'
                 f"<p>This chapter's figures, tables and executed notebook, under the licences stated in the footer "
                 f"and on the data-sources page.</p><ul>{items}</ul></section>")
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("</article>", block + "</article>", 1), encoding="utf-8")


def _publish(built: Path, target: Target) -> None:
    """Make the target's ``html`` the book in ``built`` in one atomic step.

    ``html`` is a symbolic link to a complete copy (``html-<id>``) beside it; replacing the link
    is atomic, so at every moment it points to a whole book, the old one or the new one, even if
    the process is killed.
    """
    staging_root = target.base / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="html-", dir=staging_root))
    copy = staging / "html"
    used = {m for page in built.rglob("*.html") for m in _IMAGE_REF.findall(page.read_text(encoding="utf-8"))}

    def skip(folder: str, names: list[str]) -> set[str]:
        # .buildinfo records Sphinx's configuration, absolute paths included; readers do not need it.
        # Sphinx never deletes images of earlier builds: publish only those a page shows.
        unused = {n for n in names if Path(folder).name == "_images" and n not in used}
        return unused | ({".buildinfo"} & set(names))

    shutil.copytree(built, copy, ignore=skip)
    _add_downloads(copy, target)
    final = target.base / f"html-{staging.name.removeprefix('html-')}"
    os.replace(copy, final)
    link = target.base / ".html-link"
    link.unlink(missing_ok=True)
    os.symlink(final.name, link)
    if target.html.is_dir() and not target.html.is_symlink():
        shutil.rmtree(target.html)  # an older layout held the book in the folder itself
    os.replace(link, target.html)
    clean_stale(target)


def clean_stale(target: Target | None = None) -> None:
    """Remove what killed or failed builds left: unused book copies and staging folders."""
    target = target or default_target()
    current = os.readlink(target.html) if target.html.is_symlink() else None
    for old in target.base.glob("html-*"):
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(target.base / ".staging", ignore_errors=True)


def build_html(force: bool = False, target: Target | None = None) -> bool:
    """Build the book into the target's ``html``; return False when nothing it is made from changed.

    Sphinx keeps its environment in the target's ``.sphinx`` and re-reads only the pages whose
    files changed (and the pages that glue from them). The result is copied, with each chapter's
    downloads, and published only after a build with no warning; on failure the last good book
    stays and the next build starts from scratch.
    """
    target = target or default_target()
    if not target.is_default:
        sync_edition_source(target)
    missing = [p for p in toc_chapters(target) if not p.is_file()]
    if missing:
        names = ", ".join(paths.display(p) for p in missing)
        raise BookError(f"executed chapters missing: {names}; run `alliance-book run` first")
    write_generated(target=target)
    stamp = target.sphinx / "inputs.json"
    new = html_inputs(target)
    try:
        old = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        old = {}
    if not force and old == new and (target.html / "index.html").is_file():
        return False
    building = target.sphinx / "BUILDING"
    if force or building.exists():
        # Forced, or a build was interrupted: its environment may be half written; start afresh.
        shutil.rmtree(target.sphinx, ignore_errors=True)
    _touch_cross_page_readers(old, new, target)
    target.sphinx.mkdir(parents=True, exist_ok=True)
    building.write_text(str(os.getpid()), encoding="utf-8")
    cmd = _jupyter_book() + ["build", str(target.source), "--path-output", str(target.sphinx), "-W", "--keep-going", "-q"]
    result = subprocess.run(cmd, cwd=target.source, capture_output=True, text=True)
    built = target.sphinx / "_build" / "html"
    if result.returncode != 0 or not (built / "index.html").is_file():
        shutil.rmtree(target.sphinx, ignore_errors=True)  # a half-updated environment is not reused
        log = (result.stdout + result.stderr).strip()
        raise BookError(
            f"jupyter-book build failed (exit {result.returncode}); the last good book in "
            f"{paths.display(target.html)} is unchanged.\n{log[-6000:]}"
        )
    # Sphinx's environment is complete: the marker goes before publishing, and the stamp that says
    # "up to date" only after, so a kill at any point here is repaired by the next build.
    building.unlink()
    _publish(built, target)
    stamp.write_text(json.dumps(new, indent=1, sort_keys=True), encoding="utf-8")
    return True
