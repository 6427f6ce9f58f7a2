"""Build the HTML book with jupyter-book from the executed chapters.

The book is built in a staging folder under ``_build/`` and moved to ``_build/html`` only
after the build succeeded with no warning, so a failed build leaves the last good book in
place. Every build starts from scratch (``--all`` in a fresh folder), so no page keeps a
stale glued value from an earlier run.
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
from pathlib import Path
from typing import Any

import yaml

from alliance_book import paths, provenance, store
from alliance_book.errors import BookError

SPHINX = paths.BUILD / ".sphinx"


def _jupyter_book() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jupyter_book.cli.main"]


def toc_chapters() -> list[Path]:
    """Executed notebooks the table of contents expects under ``book/chapters/``."""
    toc = yaml.safe_load(paths.TOC.read_text(encoding="utf-8"))
    found: list[Path] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if isinstance(file, str) and file.startswith("book/chapters/"):
                found.append(paths.ROOT / f"{file}.ipynb")
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


def write_generated(changes_md: str | None = None) -> None:
    """Write the parts of pages generated at build time under ``book/_generated/``.

    The data-sources list comes from ``data/datapackage.json`` (recomputed only when the package
    or the data changed); the change report, when given, from the comparison with the last
    published build.
    """
    paths.GENERATED.mkdir(parents=True, exist_ok=True)
    key = _sources_page_key()
    sources = store.get("pages", key)
    if sources is None:
        sources = data_sources_markdown()
        store.put("pages", key, sources)
    pages = {"data_sources.md": sources}
    if changes_md is not None:
        # The report's own title is the page's; keep only its body.
        pages["changes.md"] = changes_md.split("\n", 2)[2] if changes_md.startswith("# ") else changes_md
    elif not (paths.GENERATED / "changes.md").is_file():
        pages["changes.md"] = "No report: the book was built without the pipeline.\n"
    for name, text in pages.items():
        target = paths.GENERATED / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def html_inputs() -> dict[str, str]:
    """Hash of every file the HTML is built from: configuration, pages, executed chapters, environment."""
    files = [paths.CONFIG, paths.TOC, paths.ROOT / "requirements.lock"]
    files += sorted(p for p in paths.BOOK.rglob("*") if p.is_file() and not p.name.startswith(".~"))
    return {paths.display(f): provenance.file_hash(f) for f in files}


_IMAGE_REF = re.compile(r'_images/([^"\'?#)\s]+)')
_CROSS_PAGE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)::")


def _touch_cross_page_readers(old: dict[str, str], new: dict[str, str]) -> list[Path]:
    """Mark for re-reading every page that glues (``path::key``) from a chapter whose file changed.

    Sphinx re-reads a page only when its own file changed; a value glued from another page would
    otherwise stay stale.
    """
    changed = {Path(f).stem for f in new if f.startswith("book/chapters/") and old.get(f) != new[f]}
    touched = []
    if not changed:
        return touched
    for page in sorted(paths.BOOK.rglob("*.md")) + sorted(paths.CHAPTERS.glob("*.ipynb")):
        text = page.read_text(encoding="utf-8")
        if any(Path(ref).stem in changed for ref in _CROSS_PAGE.findall(text)):
            page.touch()
            touched.append(page)
    return touched


def _publish(built: Path) -> None:
    """Make ``_build/html`` the book in ``built`` in one atomic step.

    ``_build/html`` is a symbolic link to a complete copy (``_build/html-<id>``); replacing the
    link is atomic, so at every moment it points to a whole book, the old one or the new one,
    even if the process is killed.
    """
    paths.STAGING.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="html-", dir=paths.STAGING))
    copy = staging / "html"
    used = {m for page in built.rglob("*.html") for m in _IMAGE_REF.findall(page.read_text(encoding="utf-8"))}

    def skip(folder: str, names: list[str]) -> set[str]:
        # .buildinfo records Sphinx's configuration, absolute paths included; readers do not need it.
        # Sphinx never deletes images of earlier builds: publish only those a page shows.
        unused = {n for n in names if Path(folder).name == "_images" and n not in used}
        return unused | ({".buildinfo"} & set(names))

    shutil.copytree(built, copy, ignore=skip)
    final = paths.BUILD / f"html-{staging.name.removeprefix('html-')}"
    os.replace(copy, final)
    link = paths.BUILD / ".html-link"
    link.unlink(missing_ok=True)
    os.symlink(final.name, link)
    if paths.HTML.is_dir() and not paths.HTML.is_symlink():
        shutil.rmtree(paths.HTML)  # an older layout held the book in the folder itself
    os.replace(link, paths.HTML)
    shutil.rmtree(staging, ignore_errors=True)
    clean_stale()


def clean_stale() -> None:
    """Remove what killed or failed builds left: unused book copies and staging folders."""
    current = os.readlink(paths.HTML) if paths.HTML.is_symlink() else None
    for old in paths.BUILD.glob("html-*"):
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(paths.STAGING, ignore_errors=True)


def build_html(force: bool = False) -> bool:
    """Build the book into ``_build/html``; return False when nothing it is made from changed.

    Sphinx keeps its environment in ``_build/.sphinx`` and re-reads only the pages whose files
    changed (and the pages that glue from them). The result is copied to a staging folder and
    replaces ``_build/html`` only after a build with no warning; on failure the last good book
    stays and the next build starts from scratch.
    """
    missing = [p for p in toc_chapters() if not p.is_file()]
    if missing:
        names = ", ".join(paths.display(p) for p in missing)
        raise BookError(f"executed chapters missing: {names}; run `alliance-book run` first")
    write_generated()
    stamp = SPHINX / "inputs.json"
    new = html_inputs()
    try:
        old = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        old = {}
    if not force and old == new and (paths.HTML / "index.html").is_file():
        return False
    building = SPHINX / "BUILDING"
    if force or building.exists():
        # Forced, or a build was interrupted: its environment may be half written; start afresh.
        shutil.rmtree(SPHINX, ignore_errors=True)
    _touch_cross_page_readers(old, new)
    SPHINX.mkdir(parents=True, exist_ok=True)
    building.write_text(str(os.getpid()), encoding="utf-8")
    cmd = _jupyter_book() + ["build", str(paths.ROOT), "--path-output", str(SPHINX), "-W", "--keep-going", "-q"]
    result = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True)
    built = SPHINX / "_build" / "html"
    if result.returncode != 0 or not (built / "index.html").is_file():
        shutil.rmtree(SPHINX, ignore_errors=True)  # a half-updated environment is not reused
        log = (result.stdout + result.stderr).strip()
        raise BookError(
            f"jupyter-book build failed (exit {result.returncode}); the last good book in "
            f"{paths.display(paths.HTML)} is unchanged.\n{log[-6000:]}"
        )
    _publish(built)
    stamp.write_text(json.dumps(new, indent=1, sort_keys=True), encoding="utf-8")
    building.unlink()
    return True
