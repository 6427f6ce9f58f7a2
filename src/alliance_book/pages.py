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


def _row(*cells: str) -> str:
    """A row of a Markdown table (its header)."""
    return "| " + " | ".join(cells) + " |"


def _constraints(field: dict[str, Any]) -> str:
    from alliance_book.i18n import _

    c = dict(field.get("constraints", {}))
    c.pop("required", None)
    parts = []
    if "enum" in c:
        # TRANSLATORS: a field's rule on the data-sources page; {values} lists the allowed values, as code.
        parts.append(_("one of {values}").format(values=", ".join(f"`{v}`" for v in c.pop("enum"))))
    if "pattern" in c:
        # TRANSLATORS: a field's rule on the data-sources page; {pattern} is a regular expression, as code.
        parts.append(_("pattern {pattern}").format(pattern=f"`{c.pop('pattern')}`"))
    rules = {"minimum": _("minimum {value}"), "maximum": _("maximum {value}")}
    parts += [rules[k].format(value=v) if k in rules else f"{k} {v}" for k, v in c.items()]
    return "; ".join(parts)


def _field_type(name: str) -> str:
    """A field's type (Table Schema's name) as readers of the current language call it."""
    from alliance_book.i18n import pgettext

    known = {"string": pgettext("field type", "string"), "integer": pgettext("field type", "integer"),
             "number": pgettext("field type", "number"), "boolean": pgettext("field type", "boolean"),
             "date": pgettext("field type", "date"), "year": pgettext("field type", "year")}
    return known.get(name, name)


def data_sources_markdown() -> str:
    """The body of the data-sources page, written from ``data/datapackage.json`` in the current language.

    Titles, descriptions, sources and field meanings are the package's text, as published.
    """
    from alliance_book import data
    from alliance_book.i18n import _

    out = []
    for res in datapackage.package()["resources"]:
        out += [f"## {res.get('title', res['name'])}", ""]
        # TRANSLATORS: on the data-sources page; {file}, {dataset} and {parameter} are names in code style.
        out += [_("File {file} (dataset {dataset}, notebook parameter {parameter}).").format(
            file=f"`data/{res['path']}`", dataset=f"`{res['name']}`", parameter=f"`{res.get('parameter', '-')}`"), ""]
        out += [res.get("description", ""), ""]
        licences = "; ".join(lic.get("title", lic.get("name", "")) for lic in res.get("licenses", []))
        out += [_("**Terms:** {licences}").format(licences=licences), "", _("**Sources:**"), ""]
        for src in res.get("sources", []):
            # TRANSLATORS: one source of a dataset: who made it, its title (in italics), its address, when it was
            # read (an ISO date), its terms and how to cite it; all but the words are the package's text.
            out.append("- " + _("{producer}: {title}. {url} (accessed {accessed}; terms: {terms}). Citation: {citation}").format(
                producer=src.get("producer", ""), title=f"*{src.get('title', '')}*", url=f"<{src.get('path', '')}>",
                accessed=src.get("accessed", _("n/a")), terms=src.get("license", _("n/a")),
                citation=src.get("citation", _("n/a"))))
        out += ["", _("**Fields:**"), "",
                _row(_("Field"), _("Type"), _("Required"), _("Rule"), _("Meaning")), "|---|---|---|---|---|"]
        table_schema = datapackage.schema(res["name"])
        for f in table_schema["fields"]:
            required = _("yes") if f.get("constraints", {}).get("required") else _("no")
            meaning = f.get("description", f.get("title", ""))
            out.append(f"| `{f['name']}` | {_field_type(f['type'])} | {required} | {_cell(_constraints(f))} | {_cell(meaning)} |")
        key = table_schema.get("primaryKey")
        if key:
            # TRANSLATORS: under a dataset's fields: the fields that identify a row, each in code style.
            out += ["", _("One row per {fields}.").format(fields=", ".join(f"`{k}`" for k in key))]
        df = data.load(res["name"])
        if {"source", "source_url"} <= set(df.columns):
            out += ["", _("**Sources of the rows:**"), "", _row(_("Source"), _("URL"), _("Rows")), "|---|---|---|"]
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

    # The page is written in the current language, with the words of its code catalogs.
    files += i18n.code_catalogs(i18n.current()) if i18n.current() != i18n.SOURCE else []
    digest = hashlib.sha256(i18n.current().encode())
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
    """A parameter's value in words (the current language's): lists joined, an empty or zero value with what it means."""
    from alliance_book.i18n import _

    if value in (0, [], {}, "") and not isinstance(value, bool):
        means = next((c.split(":", 1)[1].strip() for c in _clauses(comment) if c.startswith(("0:", "empty:"))), None)
        means = means or next((c for c in _clauses(comment) if "empty" in c), None)
        shown = "0" if value == 0 else _("none")
        return f"{shown} \u2014 {means}" if means else shown
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(reader_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {reader_value(v)}" for k, v in value.items())
    return str(value)


def _chapter_title(path: Path) -> str:
    """A chapter's title (its first heading), in the current language where its page is translated."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return path.stem
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and source.startswith("# "):
            from alliance_book import i18n

            return page_message(f"chapters/{path.stem}", source.splitlines()[0][2:].strip(), i18n.current())
    return path.stem


def page_messages(doc: str, lang: str) -> dict[str, str]:
    """A page's translated messages (``locales/LANG/LC_MESSAGES/book/DOC.po``): English -> translation.

    ``doc`` is the page's path under ``book/`` without suffix (``chapters/01_alliance_phases``). Empty
    in English, and for a page without a catalog; untranslated and fuzzy messages are left out.
    """
    from alliance_book import i18n

    po = paths.LOCALES / lang / "LC_MESSAGES" / "book" / f"{doc}.po"
    if lang == i18n.SOURCE or not po.is_file():
        return {}
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def page_message(doc: str, english: str, lang: str) -> str:
    """One message of a page (a title, a paragraph) as the page in ``lang`` shows it; English when untranslated."""
    return page_messages(doc, lang).get(" ".join(english.split()), english)


def translated_notebook(nb: Any, doc: str, lang: str) -> Any:
    """A copy of a chapter's notebook with its Markdown as the page in ``lang`` shows it: each heading and
    paragraph the page's catalog translates replaced by its translation (the rest kept)."""
    import copy

    messages = page_messages(doc, lang)
    nb = copy.deepcopy(nb)
    if not messages:
        return nb
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        blocks = []
        for block in re.split(r"\n\s*\n", cell.source):
            heading = re.match(r"(#+ )(.*)", block)
            if heading and "\n" not in block:
                found = messages.get(heading.group(2).strip())
                blocks.append(heading.group(1) + found if found else block)
            else:
                blocks.append(messages.get(" ".join(block.split()), block))
        cell.source = "\n\n".join(blocks)
    return nb


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
    """How a citation names this book's edition (in the current language)."""
    from alliance_book.i18n import _

    return _("default edition") if target.is_default else _("edition {name}").format(name=target.name)


def edition_markdown(target: Target, chapters: list[Path], settings: list[Setting] | None = None) -> str:
    """What the front page says of this edition: what differs from the default book, then (folded) everything.

    Written in the current language; parameters' meanings are the notebooks' comments, as written.
    """
    from alliance_book.i18n import _

    settings = edition_settings(target, chapters) if settings is None else settings
    if target.is_default:
        lines = [_("This is the **default edition**, built with the parameters in {file}.").format(
            file="`params/default.yaml`"), ""]
    else:
        changed = [s for s in settings if s.differs]
        # TRANSLATORS: the front page of an edition; {name} is its name (in bold), {differs} the next sentence.
        lines = [_("This is the edition {name}. {differs}").format(
            name=f"**{target.name}**",
            differs=_("It differs from the default book in these parameters:") if changed else
            _("Its parameters are those of the default book.")), ""]
        # A list, not a table: it reflows on a phone.
        # TRANSLATORS: one parameter of an edition: its chapter (in italics), its name (as code), what it sets,
        # its value in this edition (in bold) and in the default book.
        lines += ["- " + _("{chapter}, {parameter} ({meaning}): {value}; default book: {default}").format(
            chapter=f"*{s.chapter}*", parameter=f"`{s.name}`", meaning=s.meaning[:1].lower() + s.meaning[1:],
            value=f"**{s.value}**", default=s.default) for s in changed]
        if changed:
            lines.append("")
    lines += ["```{dropdown} " + _("Every parameter and data file of this edition"), "",
              _row(_("Chapter"), _("Parameter"), _("What it sets"), _("Value")), "|---|---|---|---|"]
    lines += [f"| {_cell(s.chapter)} | `{s.name}` | {_cell(s.meaning)} | {_cell(s.value)} |" for s in settings]
    lines += ["", _row(_("Chapter"), _("Data files read")), "|---|---|"]
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


def write_localised_generated(english: Target, target: Target, localised_report: Any = None) -> None:
    """The generated parts of ``english``'s pages for its copy in the current language (``target``).

    Called under ``i18n.language(target.language)``, after the language's chapters are in place and
    before ``write_generated(target=target)``, which writes the data-sources list in that language.
    The change report is the English build's written in the language, by ``localised_report()``
    (``changes.localised_report``, passed in so that this module does not import ``changes``); the
    edition note and record, this edition's parameters in the language. What cannot be written again
    (a book built without the pipeline) is copied from the English book.
    """
    target.generated.mkdir(parents=True, exist_ok=True)
    # What these pages are written from; when none of it changed, they are as written last time.
    inputs = [english.base / "manifest.json", english.base / "manifest.previous.json", paths.BUILD / "manifest.json",
              *(english.generated / n for n in ("changes.md", "edition.md", "edition.json")),
              *sorted(english.chapters.glob("*.ipynb")), *sorted((paths.LOCALES / target.language).rglob("*.po"))]
    digest = hashlib.sha256(f"{target.language} {provenance.code_hash()}".encode())
    for f in inputs:
        digest.update(str(f).encode() + (provenance.file_hash(f).encode() if f.is_file() else b"-"))
    stamp = target.generated / ".inputs"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == digest.hexdigest():
        return
    pages: dict[str, str] = {}
    if (english.generated / "changes.md").is_file():
        report = localised_report() if localised_report is not None else None
        if report is not None:
            # The report's own title is the page's; keep only its body (as write_generated does).
            pages["changes.md"] = report.split("\n", 2)[2] if report.startswith("# ") else report
    chapters = toc_chapters(target)
    if (english.generated / "edition.md").is_file() and all(p.is_file() for p in chapters):
        pages["edition.md"], pages["edition.json"] = edition_pages(target, chapters)
    for name in ("changes.md", "edition.md", "edition.json"):
        dst = target.generated / name
        if name in pages:
            if not dst.is_file() or dst.read_text(encoding="utf-8") != pages[name]:
                dst.write_text(pages[name], encoding="utf-8")
            continue
        src = english.generated / name
        if src.is_file():
            if not dst.is_file() or dst.read_bytes() != src.read_bytes():
                shutil.copyfile(src, dst)
    stamp.write_text(digest.hexdigest(), encoding="utf-8")


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
    from alliance_book.i18n import _

    for name, default in (("changes.md", _("No report: the book was built without the pipeline.") + "\n"),
                          ("edition.md", _("Built without the pipeline: no record of its parameters.") + "\n"),
                          ("edition.json", edition_record(target, []))):
        if name not in pages and not (target.generated / name).is_file():
            pages[name] = default
    for name, text in pages.items():
        file = target.generated / name
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
