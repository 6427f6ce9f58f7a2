"""Message catalogs: extract the English, update the translations, report coverage, localise chapters.

The workflow is Sphinx's gettext workflow with sphinx-intl's layout (``locales/<lang>/LC_MESSAGES``):

1. ``alliance-book translations update`` extracts every message of the English book: the pages and
   the notebooks' Markdown with Sphinx's gettext builder (``_build/gettext/book/...pot``), and the
   text that code writes (``_()``, ``ngettext``, ``pgettext``, ``N_``) with Babel
   (``_build/gettext/code/<domain>.pot``). It then updates each language's ``.po`` files: a new
   message is added untranslated, and a message whose English changed is kept with its old
   translation marked *fuzzy*, a stale entry that the build does not use.
2. Translators fill in ``msgstr``; a translated sentence keeps its ``{glue:text}`` roles.
3. Every build in a language reports its coverage and names each untranslated or stale message.

A language's book is put together from these catalogs by ``alliance_book.localised``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance_book import i18n, paths
from alliance_book.errors import BookError
from alliance_book.paths import Target

POT = paths.BUILD / "gettext"
PAGES_DOMAIN = "book"  # the pages' catalogs live under LC_MESSAGES/book/ (Sphinx's docnames)
PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


# --- Extraction ------------------------------------------------------------------------------

def _jupyter_book() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jupyter_book.cli.main"]


def extract_pages(source: Target | None = None, out: Path = POT) -> Path:
    """The English pages' messages as ``.pot`` files (Sphinx's gettext builder), one per page."""
    source = source or paths.default_target()
    work = out.parent / f".{out.name}-sphinx"
    cmd = _jupyter_book() + ["build", str(source.source), "--path-output", str(work), "--builder", "custom",
                             "--custom-builder", "gettext", "-q"]
    result = subprocess.run(cmd, cwd=source.source, capture_output=True, text=True)
    built = work / "_build" / "gettext"
    if result.returncode != 0 or not built.is_dir():
        raise BookError(f"extracting the pages' messages failed (exit {result.returncode}):\n"
                        f"{(result.stdout + result.stderr).strip()[-4000:]}")
    pages = out / PAGES_DOMAIN
    shutil.rmtree(pages, ignore_errors=True)
    shutil.copytree(built / PAGES_DOMAIN, pages)
    for pot in pages.rglob("*.pot"):
        _drop_generated(pot, source.book / pot.relative_to(pages).with_suffix(".md"))
    return pages


_ONLY_GLUE = re.compile(r"(\s*\{glue(?::\w+)?\}`[^`]+`\s*)+")
_INCLUDE_GENERATED = re.compile(r"^```\{include\}\s+_generated/", re.M)


def _drop_generated(pot: Path, page: Path) -> None:
    """Leave out of a page's template what is not the page's own English: text included from
    ``_generated/`` (written by the build in each language) and paragraphs that only paste values."""
    from babel.messages.pofile import write_po

    generated_lines = set()
    if page.is_file():
        text = page.read_text(encoding="utf-8")
        generated_lines = {text.count("\n", 0, m.start()) + 1 for m in _INCLUDE_GENERATED.finditer(text)}
    catalog = _read(pot)
    for message in list(catalog):
        if not message.id:
            continue
        lines = {int(line) for file, line in message.locations if str(file).endswith(page.name) and line}
        only_included = bool(lines) and lines <= generated_lines and len(message.locations) == len(lines)
        if only_included or _ONLY_GLUE.fullmatch(message.id):
            catalog.delete(message.id, message.context)
    with open(pot, "wb") as fh:
        write_po(fh, catalog, width=100)


def code_domain(file: Path) -> str:
    """The catalog a source file's messages go to: its chapter package or module, else ``book``."""
    rel = file.relative_to(PACKAGE)
    if rel.parts[0] == "chapters" and len(rel.parts) > 1:
        return Path(rel.parts[1]).stem
    return "book"


def _notebook_code() -> list[tuple[str, str]]:
    """The code cells of each notebook (``N_`` marks the alt texts of figures), by notebook."""
    from alliance_book import params

    found = []
    for nb_path in params.notebooks():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                         for c in nb["cells"] if c["cell_type"] == "code")
        found.append((nb_path.name, code))
    return found


def extract_code(out: Path = POT) -> dict[str, Path]:
    """The messages that code writes, as one ``.pot`` per domain (Babel's Python extractor)."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract
    from babel.messages.pofile import write_po

    catalogs: dict[str, Catalog] = {}

    def add(domain: str, where: str, text: str) -> None:
        catalog = catalogs.setdefault(domain, Catalog(project="alliance-book", fuzzy=False))
        for lineno, message, comments, context in extract("python", io.BytesIO(text.encode("utf-8")),
                                                          keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)

    for file in sorted(PACKAGE.rglob("*.py")):
        add(code_domain(file), str(file.relative_to(PACKAGE.parent)), file.read_text(encoding="utf-8"))
    for name, code in _notebook_code():
        add("notebooks", f"notebooks/{name}", code)
    add("data", "data/datapackage.json", _enum_source())
    add("book", "_config.yml", _config_source())
    folder = out / i18n.CODE_DOMAIN
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written = {}
    for domain, catalog in sorted(catalogs.items()):
        if len(catalog):
            written[domain] = folder / f"{domain}.pot"
            with open(written[domain], "wb") as fh:
                write_po(fh, catalog, omit_header=False, sort_output=False, width=100)
    return written


CONFIG_TEXT = (("title",), ("author",), ("html", "extra_footer"))  # reader-facing text of _config.yml


def _config_value(config: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        config = config.get(key, {}) if isinstance(config, dict) else {}
    return config if isinstance(config, str) and config.strip() else None


def _config_source() -> str:
    """The book's title, author and footer (``_config.yml``) as messages."""
    import yaml

    config = yaml.safe_load(paths.CONFIG.read_text(encoding="utf-8"))
    return "\n".join(f"_({value!r})" for keys in CONFIG_TEXT if (value := _config_value(config, keys)))


_CATEGORY = re.compile(r"""(?:category|i18n\.name|\bname)\(\s*["'](\w+)["']""")


def _enum_source() -> str:
    """The categories and names readers see, as messages with their field as context: for each field
    that code shows through ``i18n.category`` or ``i18n.name``, the values its schema lists
    (``enum``), else every distinct value of the field in the data."""
    import csv

    from alliance_book import datapackage

    shown = {m for file in PACKAGE.rglob("*.py") for m in _CATEGORY.findall(file.read_text(encoding="utf-8"))}
    found: dict[str, list[str]] = {}
    for name in datapackage.resource_names():
        for f in datapackage.schema(name).get("fields", []):
            if f["name"] not in shown:
                continue
            values = list(f.get("constraints", {}).get("enum", []))
            if not values:
                with open(datapackage.default_path(name), encoding="utf-8", newline="") as fh:
                    values = [row[f["name"]] for row in csv.DictReader(fh) if row.get(f["name"])]
            found.setdefault(f["name"], [])
            found[f["name"]] += [str(v) for v in values if str(v) not in found[f["name"]]]
    return "\n".join(f"pgettext({field!r}, {value!r})" for field, values in found.items() for value in values)


def extract_if_changed(english: Target) -> Path:
    """The English messages of ``english`` (pages and code) in ``BASE/gettext``, extracted again only
    when a page, a chapter, the code or the data's schemas changed. Returns the folder."""
    import hashlib

    from alliance_book import sphinxbuild

    out = english.base / "gettext"
    digest = hashlib.sha256(json.dumps(sphinxbuild.html_inputs(english), sort_keys=True).encode())
    for file in sorted(PACKAGE.rglob("*.py")) + [paths.DATAPACKAGE] + sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        digest.update(file.read_bytes())
    stamp = out / ".inputs"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == digest.hexdigest():
        return out
    extract_pages(english, out)
    extract_code(out)
    stamp.write_text(digest.hexdigest(), encoding="utf-8")
    return out


def update(languages: list[str] | None = None, only: str | None = None) -> dict[str, int]:
    """Extract the English and update each language's catalogs, in sphinx-intl's layout: a new message
    is added untranslated, a changed one keeps its old translation marked fuzzy with its previous
    English (``#|``), so that ``status`` can say what changed. ``only``: 'pages' or 'code'.
    Returns the number of catalogs written, by language."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    langs = languages or [lang for lang in i18n.languages() if lang != i18n.SOURCE]
    pot = extract_if_changed(paths.default_target())
    domains = [{"pages": PAGES_DOMAIN, "code": i18n.CODE_DOMAIN}[only]] if only else [PAGES_DOMAIN, i18n.CODE_DOMAIN]
    written: dict[str, int] = {}
    for lang in langs:
        written[lang] = 0
        for template_path in sorted(p for d in domains for p in (pot / d).rglob("*.pot")):
            po = paths.LOCALES / lang / "LC_MESSAGES" / template_path.relative_to(pot).with_suffix(".po")
            catalog = _read(po) if po.is_file() else Catalog(locale=lang, project="alliance-book", fuzzy=False)
            catalog.update(_read(template_path), no_fuzzy_matching=False, update_header_comment=False)
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=100, include_previous=True)
            if not po.is_file() or po.read_bytes() != buffer.getvalue():
                po.parent.mkdir(parents=True, exist_ok=True)
                po.write_bytes(buffer.getvalue())
                written[lang] += 1
    return written


# --- Coverage --------------------------------------------------------------------------------

@dataclass
class Coverage:
    """How much of a language's reader-facing text is translated, and what is not."""

    language: str
    total: int = 0
    translated: int = 0
    untranslated: list[tuple[str, str]] = field(default_factory=list)  # (catalog, msgid)
    stale: list[tuple[str, str, str]] = field(default_factory=list)  # (catalog, new msgid, old msgid)
    obsolete: list[tuple[str, str]] = field(default_factory=list)  # translated, but no longer in the book

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    def lines(self, most: int = 10) -> list[str]:
        """The report: coverage, then each untranslated and stale message (``most`` of each)."""
        out = [f"{self.language}: {self.percent:.1f}% translated ({self.translated} of {self.total} messages)"]
        for catalog, msgid, old in self.stale[:most]:
            out.append(f"  stale in {catalog}: {_short(msgid, 50)!r}: the English changed: {_changed(old, msgid)}")
        if len(self.stale) > most:
            out.append(f"  ... and {len(self.stale) - most} more stale")
        for catalog, msgid in self.untranslated[:most]:
            out.append(f"  untranslated in {catalog}: {_short(msgid)!r}")
        if len(self.untranslated) > most:
            out.append(f"  ... and {len(self.untranslated) - most} more untranslated")
        return out


def _changed(old: str, new: str) -> str:
    """What changed between two versions of a sentence, word by word: 'was' → 'is'; ..."""
    import difflib

    if old == new:
        return "since it was translated (the earlier English is not recorded)"
    a, b = old.split(), new.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            parts.append(f"{_short(' '.join(a[i1:i2]), 40)!r} \u2192 {_short(' '.join(b[j1:j2]), 40)!r}")
    return "; ".join(parts[:3]) + ("; ..." if len(parts) > 3 else "") if parts else "spacing only"


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _read(path: Path) -> Any:
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh)


def previous_ids(po: Path) -> dict[str, str]:
    """Each fuzzy message's previous English (``#| msgid``), by its msgid: Babel writes it, wrapped as a
    comment, but does not read it back."""
    import ast

    found: dict[str, str] = {}
    previous: list[str] = []
    current: list[str] | None = None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#| ") and current is None:
            previous.append(line[3:])
        elif line.startswith('msgid "') and previous:
            current = [ast.literal_eval(line[len("msgid "):])]
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        elif current is not None:
            text = " ".join(previous)
            try:
                found["".join(current)] = ast.literal_eval(text[len("msgid "):]) if text.startswith("msgid ") else ""
            except (SyntaxError, ValueError):
                pass
            previous, current = [], None
        elif not line.startswith("#"):
            previous = []
    return found


def compare(template: Path, po: Path | None, name: str, cov: Coverage) -> None:
    """Add one catalog's messages to ``cov``: each template message translated, stale or untranslated."""
    import copy

    pot = _read(template)
    catalog = _read(po) if po is not None and po.is_file() else None
    recorded = previous_ids(po) if catalog is not None else {}
    if catalog is not None:
        old = {(m.id, m.context): m for m in catalog if m.id}
        merged = copy.deepcopy(catalog)
        merged.update(pot, no_fuzzy_matching=False)
        now = {(m.id, m.context): m for m in merged if m.id}
        for key in old:
            if key not in now and old[key].string and not old[key].fuzzy:
                cov.obsolete.append((name, str(key[0])))
    else:
        now, old = {}, {}
    for m in pot:
        if not m.id:
            continue
        key = (m.id, m.context)
        cov.total += 1
        found = now.get(key)
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        strings = found.string if found is not None and isinstance(found.string, tuple) else (found.string,) if found else ("",)
        if found is not None and found.fuzzy and all(strings):
            previous = recorded.get(msgid) or (" ".join(found.previous_id) if found.previous_id else msgid)
            cov.stale.append((name, msgid, previous))
        elif found is None or not all(strings) or found.fuzzy:
            cov.untranslated.append((name, msgid))
        else:
            cov.translated += 1


def coverage(lang: str, pot: Path = POT) -> Coverage:
    """``lang``'s coverage of the extracted English (``pot``): pages and code, message by message."""
    cov = Coverage(lang)
    messages = paths.LOCALES / lang / "LC_MESSAGES"
    for template in sorted(pot.rglob("*.pot")):
        rel = template.relative_to(pot).with_suffix(".po")
        compare(template, messages / rel, str(rel.with_suffix("")), cov)
    return cov
