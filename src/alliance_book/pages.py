"""Pages written at build time: the data-sources page, the edition note, the change report.

They go under the target's ``book/_generated/`` and are included by the hand-written pages. An
edition's source folder gets a copy of the configuration and the hand-written pages first.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
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
    from alliance_book import i18n

    digest = hashlib.sha256(i18n.current().encode())  # the page is written in the current language
    for f in files:
        digest.update(str(f.name).encode() + (f.read_bytes() if f.is_file() else b"missing"))
    return digest.hexdigest()


_TYPE_NOTE = re.compile(r"\s*\((?:integer|number|text|true/false)[^)]*\)")


@dataclass
class Setting:
    """One parameter of one chapter in this book and in the default book, as a reader reads it."""

    chapter: str  # the chapter's title
    doc: str  # the chapter's page, from the source folder (book/chapters/NN_name)
    name: str
    meaning: str  # the parameter's comment in the notebook, without its type
    default: str  # its value in the default book, in words
    value: str  # its value in this book, in words

    @property
    def differs(self) -> bool:
        return self.default != self.value


def _clauses(comment: str) -> list[str]:
    return [c.strip() for c in comment.split(";") if c.strip()]


def _meaning(comment: str) -> str:
    """What a parameter is, from its comment: the first clause, without its type ("(integer)")."""
    clauses = _clauses(comment)
    meaning = _TYPE_NOTE.sub("", clauses[0]) if clauses else ""
    return meaning[:1].upper() + meaning[1:]


def reader_value(value: Any, comment: str = "") -> str:
    """A parameter's value in words: lists joined, an empty or zero value with what it means."""
    if value in (0, [], {}, "") and not isinstance(value, bool):
        means = next((c.split(":", 1)[1].strip() for c in _clauses(comment) if c.startswith(("0:", "empty:"))), None)
        means = means or next((c for c in _clauses(comment) if "empty" in c), None)
        shown = "0" if value == 0 else "none"
        return f"{shown} \u2014 {means}" if means else shown
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(reader_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {reader_value(v)}" for k, v in value.items())
    return str(value)


def _chapter_title(path: Path) -> str:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return path.stem
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and source.startswith("# "):
            return source.splitlines()[0][2:].strip()
    return path.stem


def _default_parameters() -> dict[str, dict[str, Any]]:
    """Every parameter of every chapter in the default book: params/default.yaml over the notebooks' own."""
    from alliance_book import params

    return {run.name: {**run.declared, **run.parameters} for run in params.resolve()}


def edition_settings(target: Target, chapters: list[Path]) -> list[Setting]:
    """Each chapter's parameters in this book beside the default book's, in reader words."""
    from alliance_book import explain, params

    defaults = _default_parameters()
    settings = []
    for path in chapters:
        source = paths.NOTEBOOKS / path.name
        declared = params.declared(source) if source.is_file() else {}
        comments = {row["name"]: row["meaning"] for row in explain.describe(source)} if source.is_file() else {}
        here = {**declared, **provenance.recorded_in(path).get("parameters", {})}
        base = defaults.get(path.stem, {})
        title, doc = _chapter_title(path), path.relative_to(target.source).with_suffix("").as_posix()
        for name in dict.fromkeys([*declared, *here]):
            comment = comments.get(name, "")
            settings.append(Setting(title, doc, name, _meaning(comment), reader_value(base.get(name), comment),
                                    reader_value(here.get(name), comment)))
    return settings


def edition_label(target: Target) -> str:
    """How a citation names this book's edition."""
    return "default edition" if target.is_default else f"edition {target.name}"


def edition_markdown(target: Target, chapters: list[Path], settings: list[Setting] | None = None) -> str:
    """What the front page says of this edition: what differs from the default book, then (folded) everything."""
    settings = edition_settings(target, chapters) if settings is None else settings
    if target.is_default:
        lines = ["This is the **default edition**, built with the parameters in `params/default.yaml`.", ""]
    else:
        changed = [s for s in settings if s.differs]
        lines = [f"This is the edition **{target.name}**. "
                 + ("It differs from the default book in these parameters:" if changed else
                    "Its parameters are those of the default book."), ""]
        # A list, not a table: it reflows on a phone.
        lines += [f"- *{s.chapter}*, `{s.name}` ({s.meaning[:1].lower() + s.meaning[1:]}): **{s.value}**; "
                  f"default book: {s.default}" for s in changed]
        if changed:
            lines.append("")
    lines += ["```{dropdown} Every parameter and data file of this edition", "",
              "| Chapter | Parameter | What it sets | Value |", "|---|---|---|---|"]
    lines += [f"| {_cell(s.chapter)} | `{s.name}` | {_cell(s.meaning)} | {_cell(s.value)} |" for s in settings]
    lines += ["", "| Chapter | Data files read |", "|---|---|"]
    for path in chapters:
        files = ", ".join(f"`{f}`" for f in provenance.recorded_in(path).get("data", {}) if f.endswith(".csv"))
        lines.append(f"| {_cell(_chapter_title(path))} | {_cell(files) or '-'} |")
    lines += ["```", ""]
    return "\n".join(lines)


def edition_record(target: Target, settings: list[Setting]) -> str:
    """What the Sphinx extension needs to know of this edition (``edition.json``): its name and differences."""
    record = {
        "name": target.name,
        "label": edition_label(target),
        "default": target.is_default,
        "differences": [] if target.is_default else [
            {"chapter": s.chapter, "doc": s.doc, "parameter": s.name, "default": s.default, "value": s.value}
            for s in settings if s.differs],
    }
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


def edition_pages(target: Target, chapters: list[Path]) -> tuple[str, str]:
    """The edition note of the front page and the edition's record for Sphinx."""
    settings = edition_settings(target, chapters)
    return edition_markdown(target, chapters, settings), edition_record(target, settings)


def write_localised_generated(english: Target, target: Target) -> None:
    """The generated parts of ``english``'s pages for its copy in the current language (``target``).

    Called under ``i18n.language(target.language)`` before ``write_generated(target=target)``, which
    writes the data-sources list in that language. The change report and the edition note are
    copied from the English book.
    """
    target.generated.mkdir(parents=True, exist_ok=True)
    for name in ("changes.md", "edition.md", "edition.json"):
        src = english.generated / name
        if src.is_file():
            dst = target.generated / name
            if not dst.is_file() or dst.read_bytes() != src.read_bytes():
                shutil.copyfile(src, dst)


def write_generated(changes_md: str | None = None, target: Target | None = None, edition_md: str | None = None,
                    edition_json: str | None = None) -> None:
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
    if edition_json is not None:
        pages["edition.json"] = edition_json
    for name, default in (("changes.md", "No report: the book was built without the pipeline.\n"),
                          ("edition.md", "Built without the pipeline: no record of its parameters.\n"),
                          ("edition.json", edition_record(target, []))):
        if name not in pages and not (target.generated / name).is_file():
            pages[name] = default
    for name, text in pages.items():
        file = target.generated / name
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
