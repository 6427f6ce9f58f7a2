"""Find quantities typed into the prose instead of glued from the data.

The rule: a count, a percentage or an amount of money in a chapter's Markdown must come from a
``{glue:text}`` role, so that it changes when the data change. Years, dates and other labels may
stay literal: a four-digit year (1900-2099), a date (2023-04-26, June 2022), a century or an
ordinal ("70th", "first"). Code, glue roles, citations, links and directive options are ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from alliance_book import paths, store

# Spans that are not prose: inline code, MyST roles with their content, links' targets, URLs.
_IGNORED_SPANS = [
    re.compile(r"`[^`]*`"),  # inline code, including the content of {role}`...` roles
    re.compile(r"\{[a-z:]+\}"),  # role names left after removing their content
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<https?://[^>]*>|https?://\S+"),  # bare URLs
    re.compile(r"^\s*\d+[.)]\s"),  # the marker of an ordered list item
]
_YEAR = r"(?:19|20)\d{2}"
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_LABELS = [
    re.compile(rf"\b{_YEAR}\s*[-\u2013]\s*{_YEAR}s?\b"),  # year ranges 1998-2008
    re.compile(rf"\b{_YEAR}-\d{{2}}(?:-\d{{2}})?\b"),  # ISO dates
    re.compile(rf"\b\d{{1,2}}\s+{_MONTHS}\s+{_YEAR}\b"),  # dates: 21 May 2012
    re.compile(rf"\b{_MONTHS}\s+\d{{1,2}},\s+{_YEAR}\b"),  # dates: May 21, 2012
    re.compile(rf"\b{_YEAR}s?\b"),  # years and decades (1990s)
    re.compile(r"\b\d+(?:st|nd|rd|th)\b"),  # ordinals: 70th, 21st century
    re.compile(r"\b(?:CC BY(?:-SA|-NC)*|version|v)\s?\d+(?:\.\d+)*", re.I),  # licence and software versions
]
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    "dozen|dozens|hundreds|thousands|millions|billions"
)
_QUANTITIES = [
    re.compile(r"(?:US)?\$\s?\d[\d,.]*(?:\s?(?:billion|million|trillion|bn|m))?", re.I),  # money
    re.compile(r"\d[\d,.]*\s?(?:%|per ?cent\b|percentage points?\b)", re.I),  # percentages
    re.compile(r"\d[\d,.]*\s?(?:billion|million|trillion|bn)\b", re.I),  # large amounts
    re.compile(r"\d[\d,.]*\s?(?:baht|won|yen|dollars?|euros?)\b", re.I),  # amounts in a currency
    re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b"),  # numbers with thousands separators: 28,500
    re.compile(r"\b\d+(?:\.\d+)?\b"),  # any other bare number is a count
    re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.I),  # counts written out
]


@dataclass(frozen=True)
class Typed:
    """One typed quantity: where it is and what it says."""

    file: str
    where: str
    text: str
    line: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: typed quantity {self.text!r} in: {self.line.strip()[:100]}"


def _prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines that are prose: outside code fences, not directive options.

    A MyST directive fence (```{glue:figure}) holds a caption, which is prose; a plain fence holds code.
    """
    out: list[tuple[int, str]] = []
    stack: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        stripped = line.strip()
        fence = re.match(r"^(`{3,}|~{3,}|:{3,})(.*)$", stripped)
        if fence:
            if stack and not fence.group(2).strip():
                stack.pop()
            else:
                stack.append("directive" if fence.group(2).strip().startswith("{") else "code")
            continue
        if "code" in stack or stripped.startswith(":"):
            continue
        out.append((number, line))
    return out


def typed_quantities(markdown: str) -> list[tuple[int, str, str]]:
    """(line, match, line text) for every typed quantity in a Markdown text."""
    found = []
    for number, line in _prose_lines(markdown):
        text = line
        for pattern in _IGNORED_SPANS + _LABELS:
            text = pattern.sub(" ", text)
        for pattern in _QUANTITIES:
            for match in pattern.finditer(text):
                found.append((number, match.group(0).strip(), line))
            text = pattern.sub(" ", text)
    return found


def check_notebook(path: Path) -> list[Typed]:
    """Typed quantities in a notebook's Markdown cells, each named by file, cell and line.

    A notebook found clean before, unchanged and with the same rule, is not read again.
    """
    raw = Path(path).read_bytes()
    key = hashlib.sha256(raw + Path(__file__).read_bytes()).hexdigest()
    if store.has("prose-clean", key):
        return []
    shown = paths.display(path)
    cells = json.loads(raw)["cells"]
    found = [Typed(shown, f"cell {i + 1}, line {line}", match, text)
             for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
             for line, match, text in typed_quantities("".join(cell["source"]))]
    if not found:
        store.put("prose-clean", key)
    return found


def check_page(path: Path) -> list[Typed]:
    """Typed quantities in a hand-written Markdown page."""
    shown = paths.display(path)
    return [Typed(shown, f"line {line}", match, text)
            for line, match, text in typed_quantities(path.read_text(encoding="utf-8"))]


def check_book(notebooks: list[Path], pages: list[Path]) -> list[Typed]:
    """Every typed quantity in the chapters' Markdown and the given hand-written pages."""
    found: list[Typed] = []
    for nb in notebooks:
        found += check_notebook(nb)
    for page in pages:
        found += check_page(page)
    return found
