"""The book's languages: message catalogs for text written by code, and locale formatting.

English is the source language. Every other language has a folder under ``locales/`` with
gettext catalogs (``.po``), in the layout of sphinx-intl:

- ``locales/<lang>/LC_MESSAGES/book/...po``: the pages and the notebooks' Markdown, extracted by
  Sphinx's gettext builder (``alliance-book translations update``);
- ``locales/<lang>/LC_MESSAGES/code/<domain>.po``: text that code writes into figures, tables and
  glued sentences, marked in the source with ``_()`` (or ``ngettext``) and extracted with Babel;
- ``locales/<lang>/LC_MESSAGES/sphinx.po`` (and theme catalogs): interface strings that Sphinx or
  the theme do not translate themselves.

Code that writes reader-facing text calls ``_()`` at run time, under ``language(lang)``; the
notebooks run such code once per language (``report.glue_all``, ``report.glue_figure``), so a
chapter executes once for every language. Numbers, years and dates go through ``number``,
``year`` and ``date``, which write them as each locale's readers do: Buddhist Era years in Thai
(พ.ศ. 2566 for 2023), ``2023년 4월 26일`` in Korean.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from alliance_book import paths

SOURCE = paths.SOURCE_LANGUAGE
LOCALES = paths.LOCALES
CODE_DOMAIN = "code"
# Each language's name in itself, for the language switcher.
NAMES = {"en": "English", "th": "ไทย", "ko": "한국어"}
# The Buddhist Era is 543 years ahead of the Common Era.
BE_OFFSET = 543

_active: contextvars.ContextVar[str] = contextvars.ContextVar("alliance_book_language", default=SOURCE)
T = TypeVar("T")


def languages() -> list[str]:
    """The book's languages: English first, then each language with catalogs under ``locales/``."""
    found = sorted(p.name for p in LOCALES.glob("*") if (p / "LC_MESSAGES").is_dir()) if LOCALES.is_dir() else []
    return [SOURCE] + [lang for lang in found if lang != SOURCE]


def current() -> str:
    """The language that ``_`` and the formatting functions write in now."""
    return _active.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Write in ``lang`` inside the block (``_``, ``year``, ``date``, ``number``)."""
    token = _active.set(lang)
    try:
        yield
    finally:
        _active.reset(token)


def each_language(fn: Callable[..., T], *args: Any, **kwargs: Any) -> dict[str, T]:
    """``fn(*args, **kwargs)`` run once in every language of the book, by language."""
    out: dict[str, T] = {}
    for lang in languages():
        with language(lang):
            out[lang] = fn(*args, **kwargs)
    return out


def code_catalogs(lang: str) -> list[Path]:
    """A language's catalogs of code-written text (one per domain)."""
    return sorted((LOCALES / lang / "LC_MESSAGES" / CODE_DOMAIN).glob("*.po"))


@cache
def _messages(lang: str) -> dict[tuple[str, str | None], Any]:
    """Every translated, current (not fuzzy) code message of a language: (msgid, context) -> msgstr."""
    from babel.messages.pofile import read_po

    found: dict[tuple[str, str | None], Any] = {}
    for po in code_catalogs(lang):
        with open(po, "rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if all(strings):
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    found[(key, message.context)] = message.string
    return found


def _lookup(msgid: str, context: str | None) -> Any:
    lang = current()
    if lang == SOURCE:
        return None
    return _messages(lang).get((msgid, context))


def _(message: str) -> str:
    """``message`` (English, with ``{name}`` fields) in the current language; English when untranslated."""
    found = _lookup(message, None)
    return found if isinstance(found, str) else message


def pgettext(context: str, message: str) -> str:
    """Like ``_``, for a short message whose meaning depends on ``context`` (a label, a category)."""
    found = _lookup(message, context)
    return found if isinstance(found, str) else message


def category(field: str, value: str) -> str:
    """A category of the data (a value listed in its field's schema ``enum``) in the current language.

    Calling it with the field's name as a literal makes ``translations update`` extract every
    value of that field's ``enum``, with the field as the message's context.
    """
    return pgettext(field, str(value))


def name(field: str, value: str) -> str:
    """A proper name from the data (an organisation, a country, a unit) by its official name in the
    current language, where one exists. As with ``category``, the field's name is a literal:
    ``translations update`` then extracts every distinct value of that field in the data."""
    return pgettext(field, str(value))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n`` in the current language (Thai and Korean have one form)."""
    found = _lookup(singular, None)
    if isinstance(found, tuple):
        from gettext import c2py

        from babel.messages.plurals import get_plural

        # The language's own rule (Babel's), whatever a catalog's header says: one form in Thai and Korean.
        index = c2py(get_plural(current()).plural_expr)(n)
        return found[min(int(index), len(found) - 1)]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here (translated where it is shown)."""
    return message


# --- Numbers, years and dates as each locale writes them -------------------------------------

def number(value: float, digits: int | None = None) -> str:
    """A number with the locale's separators; ``digits`` fixes the decimals (default: as needed)."""
    from babel.numbers import format_decimal

    pattern = None if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(value, format=pattern, locale=current(), decimal_quantization=digits is not None)


def era_year(year: int) -> int:
    """A year as a number in the reader's era: Buddhist Era in Thai, Common Era otherwise."""
    return int(year) + BE_OFFSET if current() == "th" else int(year)


def year(value: int) -> str:
    """A year as readers write it: ``2023``; ``พ.ศ. 2566`` in Thai; ``2023년`` in Korean."""
    lang = current()
    if lang == "th":
        return f"พ.ศ. {int(value) + BE_OFFSET}"
    if lang == "ko":
        return f"{int(value)}년"
    return str(int(value))


def year_span(first: int, last: int) -> str:
    """Two years as a span: ``1991–2004``; ``พ.ศ. 2534–2547``; ``1991~2004년``."""
    lang = current()
    if lang == "th":
        return f"พ.ศ. {int(first) + BE_OFFSET}\u2013{int(last) + BE_OFFSET}"
    if lang == "ko":
        return f"{int(first)}~{int(last)}년"
    return f"{int(first)}\u2013{int(last)}"


def date(value: _dt.date | str, precision: str = "day") -> str:
    """A date (or an ISO date string) at ``precision`` 'day', 'month' or 'year', as the locale writes it."""
    from babel.dates import format_date, get_month_names

    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    lang = current()
    if precision == "year":
        return year(value.year)
    if lang == "th":
        month = get_month_names("wide", locale="th")[value.month]
        head = f"{value.day} {month}" if precision == "day" else month
        return f"{head} พ.ศ. {value.year + BE_OFFSET}"
    if lang == "ko":
        tail = f" {value.day}일" if precision == "day" else ""
        return f"{value.year}년 {value.month}월{tail}"
    return format_date(value, "MMMM d, y" if precision == "day" else "MMMM y", locale="en")


def month_name(month: int) -> str:
    """A month's name in the current language."""
    from babel.dates import get_month_names

    return get_month_names("wide", locale=current())[int(month)]
