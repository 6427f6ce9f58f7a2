"""A language's book: localised copies of the executed chapters, the pages and the catalogs.

A chapter executes once: its notebook glues each value in every language (``report.Localised``).
``localise`` writes a language's copy of an executed notebook with that language's outputs, and
``prepare_source`` puts a language's whole source folder together beside the English book
(``BASE/LANG/src``), writing only what changed so that Sphinx re-reads only that.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from alliance_book import i18n, paths, report
from alliance_book.paths import Target
from alliance_book.translations import CONFIG_TEXT, _config_value

def localise(nb: dict[str, Any], lang: str) -> dict[str, Any]:
    """An executed notebook with ``lang``'s outputs: each glued value's bundle in that language."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            prefix = out.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
            variants = data.pop(prefix + report.L10N_MIME, None)
            if variants and lang in variants:
                out["data"] = {prefix + mime: value for mime, value in variants[lang].items()}
    return nb


def write_localised(chapter: Path, dest: Path, lang: str) -> bool:
    """Write ``chapter`` localised to ``lang`` at ``dest``; False when it is already there, unchanged."""
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    text = json.dumps(localise(nb, lang), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if dest.is_file() and dest.read_text(encoding="utf-8") == text:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(dest)
    return True


def prepare_source(english: Target, lang: str) -> Target:
    """The source folder of ``english`` in ``lang``: its configuration and pages, its chapters
    localised, and the language's catalogs. Files are written only when they differ, so Sphinx
    re-reads only what changed. Returns the language's target."""
    import yaml

    target = english.in_language(lang)
    config = yaml.safe_load((english.source / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config.update({"language": lang, "locale_dirs": ["locales"], "gettext_compact": False})
    with i18n.language(lang):
        for keys in CONFIG_TEXT:
            value = _config_value(config, keys)
            if value:
                holder = config
                for key in keys[:-1]:
                    holder = holder[key]
                holder[keys[-1]] = i18n._(value)
        # TRANSLATORS: "%s" is the number, e.g. "Figure 2.1"; likewise for tables, listings, sections.
        sphinx_config["numfig_format"] = {"figure": i18n._("Figure %s"), "table": i18n._("Table %s"),
                                          "code-block": i18n._("Listing %s"), "section": i18n._("Section %s")}
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    dest = target.source / "_config.yml"
    if not dest.is_file() or dest.read_text(encoding="utf-8") != text:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    _copy_if_changed(english.source / "_toc.yml", target.source / "_toc.yml")
    wanted: set[Path] = set()
    for page in english.book.rglob("*"):
        rel = page.relative_to(english.book)
        if not page.is_file() or rel.parts[0].startswith(".") or rel.parts[0] == "_generated":
            continue  # generated pages are written in the language (pages.write_localised_generated)
        dst = target.book / rel
        wanted.add(dst)
        if rel.parts[0] == "chapters" and page.suffix == ".ipynb":
            write_localised(page, dst, lang)
        else:
            _copy_if_changed(page, dst)
    for old in target.chapters.glob("*.ipynb"):
        if old not in wanted:
            old.unlink()
    from alliance_book import changes, pages

    pages.write_localised_generated(english, target,
                                    lambda: changes.localised_report(english.base, english.chapters, lang))
    for po in (paths.LOCALES / lang).rglob("*.po"):
        dst = target.source / "locales" / lang / po.relative_to(paths.LOCALES / lang)
        wanted.add(dst)
        _copy_if_changed(po, dst)
    for old in (target.source / "locales").rglob("*.po"):
        if old not in wanted:
            old.unlink()
    return target


def _copy_if_changed(src: Path, dst: Path) -> None:
    if not dst.is_file() or dst.read_bytes() != src.read_bytes():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
