"""Pages written at build time: the data-sources page, the edition note, the change report.

They go under the target's ``book/_generated/`` and are included by the hand-written pages. An
edition's source folder gets a copy of the configuration and the hand-written pages first.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from alliance_book import datapackage, paths, provenance, store
from alliance_book.paths import Target


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


def toc_chapters(target: Target | None = None) -> list[Path]:
    """Executed notebooks the table of contents expects under ``book/chapters/``.

    A ``glob: book/chapters/*`` entry stands for one chapter per source notebook, in name order, so a
    new notebook in ``notebooks/`` becomes a chapter with no change to ``_toc.yml``.
    """
    from alliance_book import params

    target = target or paths.default_target()
    toc = yaml.safe_load(paths.TOC.read_text(encoding="utf-8"))
    found: list[Path] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            file, pattern = node.get("file"), node.get("glob")
            if isinstance(file, str) and file.startswith("book/chapters/"):
                found.append(target.source / f"{file}.ipynb")
            if isinstance(pattern, str) and pattern.startswith("book/chapters/"):
                found.extend(target.source / "book" / "chapters" / nb.name for nb in params.notebooks()
                             if fnmatch.fnmatch(f"book/chapters/{nb.stem}", pattern))
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
    for res in datapackage.package()["resources"]:
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
        table_schema = datapackage.schema(res["name"])
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
    files = [paths.DATAPACKAGE, Path(__file__)] + sorted(paths.DATA.glob("*.json"))
    files += [datapackage.default_path(name) for name in datapackage.resource_names()]
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.name).encode() + (f.read_bytes() if f.is_file() else b"missing"))
    return digest.hexdigest()


def edition_markdown(target: Target, chapters: list[Path]) -> str:
    """What the front page says of this edition: its name, and each chapter's parameters and data."""
    if target.is_default:
        lines = ["This is the **default edition**, built with the parameters in `params/default.yaml`."]
    else:
        lines = [f"This is the edition **{target.name}**, built with other parameters than the default "
                 "book; the parameters and data files of each chapter are listed below."]
    lines += ["", "| Chapter | Parameters | Data files read |", "|---|---|---|"]
    for path in chapters:
        inputs = provenance.recorded_in(path)
        shown = "; ".join(f"`{k}` = `{json.dumps(v, ensure_ascii=False)}`" for k, v in inputs.get("parameters", {}).items())
        files = ", ".join(f"`{f}`" for f in inputs.get("data", {}) if f.endswith(".csv"))
        lines.append(f"| {path.stem} | {_cell(shown) or 'defaults'} | {_cell(files) or '-'} |")
    return "\n".join(lines) + "\n"


def write_generated(changes_md: str | None = None, target: Target | None = None, edition_md: str | None = None) -> None:
    """Write the parts of pages generated at build time under ``book/_generated/``.

    The data-sources list comes from ``data/datapackage.json`` (recomputed only when the package
    or the data changed); the change report and the edition note, when given, from this build.
    """
    target = target or paths.default_target()
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
