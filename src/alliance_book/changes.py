"""What changed in the book between two builds: glued values, figures, and why chapters re-ran.

Each build writes a manifest (``_build/manifest.json``): per chapter, the inputs recorded in the
executed notebook, every glued value (as text) and every glued figure (as a hash of the image).
Comparing two manifests gives the change report (``changes.md``).
"""

from __future__ import annotations

import ast
import base64
import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from alliance_book import paths, provenance, report
from alliance_book.errors import BookError

IMAGE_TYPES = ("image/png", "image/svg+xml")
TABLE_TYPES = ("text/csv", "text/html")  # a glued table (or an HTML figure): reported by its caption, not as text
SHORT = 80


def _glued(nb: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(values, figures) glued in an executed notebook: value text by key, hash of each figure or table by key."""
    values, figures = {}, {}
    for key, bundle in report.outputs(nb).items():
        image = next((m for m in IMAGE_TYPES + TABLE_TYPES if m in bundle), None)
        if image:
            content = base64.b64decode(bundle[image]) if image == "image/png" else "".join(bundle[image]).encode()
            figures[key] = hashlib.sha256(content).hexdigest()
        else:
            text = bundle.get("text/markdown") or bundle.get("text/plain") or bundle.get("text/html", "")
            values[key] = _unquote(str(text))
    return values, figures


def _glued_l10n(nb: Any) -> dict[str, dict[str, str]]:
    """The glued values (not figures or tables) that differ in the book's other languages: text by key, by language."""
    found: dict[str, dict[str, str]] = {}
    for key, bundle in report.outputs(nb).items():
        for lang, theirs in bundle.get(report.L10N_MIME, {}).items():
            if not any(m in theirs for m in IMAGE_TYPES + TABLE_TYPES):
                text = theirs.get("text/markdown") or theirs.get("text/plain") or theirs.get("text/html", "")
                found.setdefault(lang, {})[key] = _unquote("".join(text) if isinstance(text, list) else str(text))
    return found


def _unquote(text: str) -> str:
    """A glued string's text/plain is its repr; report the string itself."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return value if isinstance(value, str) else text
    return text


_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::([^`]*))?`")
_FIGURE = re.compile(r"```\{glue(?::figure)?\}\s+(\S+)\n(?::[^\n]*\n)*\n?(.*?)\n```", re.S)
_MARKUP = re.compile(r"[*_#>`]|\{[a-z:]+\}|\(\.\./[^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")


def formatted(value: str, spec: str | None) -> str:
    """A glued value as the chapter prints it: its format (``:,``, ``:.1f``) applied to a number."""
    if not spec:
        return value
    try:
        number = float(value) if re.fullmatch(r"-?\d+\.\d*(?:e-?\d+)?", value) else int(value)
        return format(number, spec)
    except (ValueError, TypeError):
        return value


def _plain(text: str, values: dict[str, str] | None = None, formats: dict[str, str] | None = None,
           own: str | None = None) -> str:
    """Markdown as plain words: other glued values filled in (the value itself, or an unknown one, as an ellipsis),
    links as their text, markup removed, lines joined."""
    values, formats = values or {}, formats or {}

    def fill(m: re.Match) -> str:
        key = m.group(1)
        if key == own or key not in values or len(values[key]) > SHORT:
            return "\u2026"
        return formatted(values[key], m.group(2) or formats.get(key))

    text = _LINK.sub(r"\1", _ROLE.sub(fill, text))
    return re.sub(r"\s+", " ", _MARKUP.sub("", _TAG.sub("", text))).strip()


def words(text: str) -> str:
    """A glued value as a reader sees it: Markdown and HTML markup removed."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", _TAG.sub(" ", _LINK.sub(r"\1", text)))).strip()


def formats(nb: Any) -> dict[str, str]:
    """The format each glued value is printed with in the chapter's text (``:,`` for 23,111), by key."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for m in _ROLE.finditer(cell.source):
                if m.group(2):
                    found.setdefault(m.group(1), m.group(2))
    return found


def labels(nb: Any, values: dict[str, str] | None = None) -> dict[str, str]:
    """A reader's name for each glued value: the clause around it in its paragraph, or a figure's caption.

    The other values glued into those words are filled in (``values``), so a label reads as the chapter does.
    """
    found: dict[str, str] = {}
    shown = formats(nb)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        for m in _FIGURE.finditer(text):
            caption = _plain(m.group(2), values, shown)
            found.setdefault(m.group(1), re.split(r"(?<=[.:;])\s", caption)[0].rstrip(".:;"))
        for m in _ROLE.finditer(text):
            key = m.group(1)
            paragraph_start = max(text.rfind("\n\n", 0, m.start()), text.rfind("\n#", 0, m.start()))
            paragraph_end = text.find("\n\n", m.end())
            prev = _plain(text[paragraph_start + 1 if paragraph_start >= 0 else 0:m.start()], values, shown, key)
            after_text = text[m.end():paragraph_end if paragraph_end >= 0 else len(text)]
            before = [] if prev.endswith((".", ";", ":", "!", "?", "\u2026")) and not prev.endswith(": \u2026") \
                else re.split(r"(?<=[.;:!?])\s", prev)[-1].split()[-8:]
            after = re.split(r"[.;:!?](?!\d)", _plain(after_text, values, shown, key))[0].split()[:8]
            if len(before) >= 3:
                unit = after_text.split(None, 1)[0] if after_text and not after_text[0].isspace() else ""
                label = " ".join(before) + " \u2026" + (_plain(unit) if len(unit) <= 2 else "")
            elif len(after) >= 3:
                label = "\u2026 " + " ".join(after)
            else:
                label = "A sentence computed from the data"
            found.setdefault(key, label.strip())
    return found


def manifest(chapters: list[Path]) -> dict[str, Any]:
    """The manifest of a build from its executed chapters."""
    import nbformat

    out: dict[str, Any] = {"chapters": {}}
    for path in sorted(chapters):
        nb = nbformat.read(path, as_version=4)
        values, figures = _glued(nb)
        out["chapters"][path.stem] = {"inputs": provenance.recorded(nb), "values": values, "figures": figures,
                                      "labels": labels(nb, values), "formats": formats(nb),
                                      "title": _title(nb) or path.stem}
        l10n = _glued_l10n(nb)
        if l10n:
            out["chapters"][path.stem]["l10n"] = l10n
    return out


def _title(nb: Any) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return ""


def read(path: Path) -> dict[str, Any]:
    """A manifest from a file, or from a build folder holding ``manifest.json``."""
    file = Path(path) / "manifest.json" if Path(path).is_dir() else Path(path)
    if not file.is_file():
        raise BookError(f"{file}: no build manifest here (a build folder holds manifest.json)")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BookError(f"{file}: not a build manifest ({exc})") from exc


def write(data: dict[str, Any], path: Path) -> None:
    """Write a manifest with a stable layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _show_pair(old: str | None, new: str | None) -> tuple[str, str]:
    """Before and after for the report: whole values when short, else the words that differ in context."""
    if old is None or new is None:
        return ("(none)" if old is None else f"`{_cell(old)}`", "(none)" if new is None else f"`{_cell(new)}`")
    a, b = old.split(), new.split()
    if len(" ".join(a)) <= SHORT and len(" ".join(b)) <= SHORT:
        return f"`{_cell(' '.join(a))}`", f"`{_cell(' '.join(b))}`"
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    first, last = ops[0], ops[-1]
    i1, i2 = max(first[1] - 3, 0), min(last[2] + 3, len(a))
    j1, j2 = max(first[3] - 3, 0), min(last[4] + 3, len(b))
    more = f" ({len(ops)} places)" if len(ops) > 1 else ""
    return f"`\u2026{_cell(' '.join(a[i1:i2])[:SHORT])}\u2026`{more}", f"`\u2026{_cell(' '.join(b[j1:j2])[:SHORT])}\u2026`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The differences between two manifests, chapter by chapter."""
    report: dict[str, Any] = {}
    old_ch, new_ch = old.get("chapters", {}), new.get("chapters", {})
    for name in sorted(set(old_ch) | set(new_ch)):
        before, after = old_ch.get(name), new_ch.get(name)
        if before is None or after is None:
            report[name] = {"status": "added" if before is None else "removed"}
            continue
        values = {k: (before["values"].get(k), after["values"].get(k))
                  for k in sorted(set(before["values"]) | set(after["values"]))
                  if before["values"].get(k) != after["values"].get(k)}
        figures = sorted(k for k in set(before["figures"]) | set(after["figures"])
                         if before["figures"].get(k) != after["figures"].get(k))
        reasons = provenance.what_changed(before.get("inputs", {}), after.get("inputs", {}))
        if values or figures or reasons:
            report[name] = {"status": "changed", "reasons": reasons, "values": values, "figures": figures,
                            "labels": after.get("labels", {}), "formats": after.get("formats", {}),
                            "title": after.get("title", name)}
    return report


def markdown(report: dict[str, Any], first: bool = False, executed: list[str] | None = None,
             everything: bool = False, titles: dict[str, str] | None = None) -> str:
    """The change report as Markdown, in the current language; ``executed`` names the chapters run in this
    build (``titles``: their titles).

    The book's page names each value by its words in the chapter and prints it as the chapter does;
    values the text does not show are counted there, and listed by name with ``everything``
    (``alliance-book diff``); figures and tables by their captions.
    """
    from alliance_book.i18n import _

    lines = ["# " + _("What changed in this build"), ""]
    if first:
        return "\n".join(lines + [_("This is the first build: there is no earlier one to compare with."), ""])
    quiet = [(titles or {}).get(n, n) for n in executed or [] if n not in report]
    # TRANSLATORS: {chapters} lists the titles of chapters, separated by commas.
    tail = [_("Also executed, with the same inputs and results: {chapters}.").format(chapters=", ".join(quiet)),
            ""] if quiet else []
    if not report:
        return "\n".join(lines + [_("Nothing changed since the previous build: every glued value and figure is the same."),
                                  ""] + tail)
    for name, change in report.items():
        lines.append(f"## {change.get('title', name)}")
        lines.append("")
        if change["status"] != "changed":
            lines += [_("Chapter added.") if change["status"] == "added" else _("Chapter removed."), ""]
            continue
        # TRANSLATORS: {reasons} lists what changed in a chapter's inputs, separated by semicolons.
        reasons = "; ".join(change["reasons"]) or _("inputs unchanged")
        lines += [_("Re-executed because: {reasons}.").format(reasons=reasons), ""]
        if change["values"]:
            names = change.get("labels", {})
            shown = {k: v for k, v in change["values"].items() if k in names or everything}
            if shown:
                lines += ["| " + " | ".join((_("Value"), _("Before"), _("After"))) + " |", "|---|---|---|"]
                spec = change.get("formats", {})
                for key, (a, b) in shown.items():
                    before, after = _show_pair(*(None if v is None else formatted(words(v), spec.get(key)) for v in (a, b)))
                    lines.append(f"| {_cell(names.get(key, key))} | {before} | {after} |")
                lines.append("")
            hidden = len(change["values"]) - len(shown)
            if hidden:
                # TRANSLATORS: {count} is a number of values; `alliance-book diff` is a command.
                lines += [(_("Other values the chapter computes but does not show in its text also changed ({count}); "
                             "`alliance-book diff` lists them.") if shown else
                           _("Values the chapter computes but does not show in its text also changed ({count}); "
                             "`alliance-book diff` lists them.")).format(count=hidden), ""]
        if change["figures"]:
            names = change.get("labels", {})
            captioned = [k for k in change["figures"] if k in names or everything]
            if captioned:
                # TRANSLATORS: {captions} lists the captions of figures and tables, each in quotation marks.
                lines += [_("Figures and tables that changed: {captions}.").format(captions="; ".join(
                    _("\u201c{caption}\u201d").format(caption=_cell(names.get(k, k))) for k in captioned)), ""]
            hidden = len(change["figures"]) - len(captioned)
            if hidden:
                lines += [(_("Other figures or tables the chapter computes but does not show also changed ({count}); "
                             "`alliance-book diff` lists them.") if captioned else
                           _("Figures or tables the chapter computes but does not show also changed ({count}); "
                             "`alliance-book diff` lists them.")).format(count=hidden), ""]
        if not change["values"] and not change["figures"]:
            lines += [_("No glued value or figure changed."), ""]
    return "\n".join(lines + tail)


def record_build(chapters: list[Path], executed: list[str] | None = None,
                 base: Path | None = None) -> tuple[dict[str, Any], str]:
    """Manifest of the chapters about to be published and the report against the last published build.

    The manifest also records what the report compared (``build``), so that the book in another
    language writes the same report in its language (``localised_report``).
    """
    from alliance_book.i18n import _

    new = manifest(chapters)
    previous = (base or paths.BUILD) / "manifest.json"
    against = ""
    if not previous.is_file() and base is not None and base != paths.BUILD and (paths.BUILD / "manifest.json").is_file():
        # An edition's first build is compared with the default book.
        previous, against = paths.BUILD / "manifest.json", _("This edition is compared with the default book.")
    first = not previous.is_file()
    report = {} if first else compare(read(previous), new)
    titles = {name: chapter.get("title", name) for name, chapter in new["chapters"].items()}
    new["build"] = {"executed": list(executed or []), "compared_with": None if first else "default" if against else "previous"}
    return new, _report_text(report, first, executed, titles, against)


def _report_text(report: dict[str, Any], first: bool, executed: list[str] | None, titles: dict[str, str],
                 against: str) -> str:
    text = markdown(report, first=first, executed=executed, titles=titles)
    if against:
        title, _sep, rest = text.partition("\n\n")
        text = f"{title}\n\n{against}\n\n{rest}"
    return text


def _in_language(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """A manifest with each glued value as the book in ``lang`` shows it (where the manifest recorded it)."""
    out = json.loads(json.dumps(data))
    for chapter in out.get("chapters", {}).values():
        chapter["values"].update(chapter.get("l10n", {}).get(lang, {}))
    return out


def localised_report(base: Path, chapters: Path, lang: str) -> str | None:
    """The change report of the last build in ``base`` (its ``manifest.json`` and ``manifest.previous.json``),
    written in ``lang`` (the current language): values as that language's book shows them, chapters and
    values named by the words of its pages (``chapters`` holds the executed chapters). None when the
    manifests do not say what the report compared (a build made before they did)."""
    from alliance_book import pages
    from alliance_book.i18n import _

    current = base / "manifest.json"
    if not current.is_file():
        return None
    new = read(current)
    build = new.get("build")
    if build is None:
        return None
    against = ""
    if build["compared_with"] is None:
        report: dict[str, Any] = {}
    else:
        previous = base / "manifest.previous.json" if build["compared_with"] == "previous" else paths.BUILD / "manifest.json"
        if not previous.is_file():
            return None
        report = compare(_in_language(read(previous), lang), _in_language(new, lang))
        against = _("This edition is compared with the default book.") if build["compared_with"] == "default" else ""
    titles = {}
    for name, chapter in new["chapters"].items():
        nb = chapters / f"{name}.ipynb"
        doc = f"chapters/{name}"
        titles[name] = pages.page_message(doc, chapter.get("title", name), lang)
        if name in report and "labels" in report[name] and nb.is_file():
            import nbformat

            translated = pages.translated_notebook(nbformat.read(nb, as_version=4), doc, lang)
            values = _in_language(new, lang)["chapters"][name]["values"]
            report[name]["labels"] = labels(translated, values)
        if name in report:
            report[name]["title"] = titles[name]
    return _report_text(report, build["compared_with"] is None, build["executed"], titles, against)


def publish_manifest(new: dict[str, Any], report_md: str, base: Path | None = None) -> None:
    """After a successful build: keep the previous manifest, write the new one and the report."""
    base = base or paths.BUILD
    current = base / "manifest.json"
    if current.is_file():
        current.replace(base / "manifest.previous.json")
    write(new, current)
    (base / "changes.md").write_text(report_md, encoding="utf-8")
