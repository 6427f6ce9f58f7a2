"""Every path the project uses, defined once from the project root.

Notebooks and the CLI ask this module for paths instead of building them by hand, so
they run from any working directory. The root is, in order: the ``ALLIANCE_BOOK_ROOT``
environment variable; the checkout this package was installed from (editable install);
the nearest parent of the working directory that holds ``data/datapackage.json``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from alliance_book.errors import BookError

MARKER = Path("data") / "datapackage.json"


def _find_root() -> Path:
    env = os.environ.get("ALLIANCE_BOOK_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / MARKER).is_file():
            raise BookError(f"ALLIANCE_BOOK_ROOT={env} has no {MARKER}")
        return root
    here = Path(__file__).resolve().parents[2]
    if (here / MARKER).is_file():
        return here
    for parent in [Path.cwd().resolve(), *Path.cwd().resolve().parents]:
        if (parent / MARKER).is_file():
            return parent
    raise BookError(
        f"cannot find the project root (a folder with {MARKER}); "
        "run from inside the project or set ALLIANCE_BOOK_ROOT"
    )


ROOT = _find_root()
DATA = ROOT / "data"
DATAPACKAGE = DATA / "datapackage.json"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = ROOT / "params"
DEFAULT_PARAMS = PARAMS / "default.yaml"
BOOK = ROOT / "book"
CHAPTERS = BOOK / "chapters"
GENERATED = BOOK / "_generated"
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
BUILD = ROOT / "_build"
HTML = BUILD / "html"  # a link to the last good book (_build/html-<id>), replaced atomically
LOCK = BUILD / ".lock"
LOCALES = ROOT / "locales"  # message catalogs of the other languages (i18n)


def data_file(path: str | os.PathLike[str]) -> Path:
    """Resolve a data-file parameter: absolute paths stay, relative ones are from the root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p


def display(path: str | os.PathLike[str]) -> str:
    """A path as a user should read it: relative to the root when inside it (links not followed)."""
    p = Path(os.path.abspath(path))
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


DEFAULT_EDITION = "default"
SOURCE_LANGUAGE = "en"  # the language the book is written in (i18n.SOURCE)
EDITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Target:
    """Where one book is built from and to: its Sphinx source folder and its build folder."""

    name: str
    source: Path  # _config.yml, _toc.yml and book/
    base: Path  # the build folder: html link, .sphinx, manifest, change report
    language: str = "en"  # the book's language; other languages are built from a localised copy

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
    def staging(self) -> Path:
        return self.base / ".staging"

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_EDITION

    @property
    def is_source_language(self) -> bool:
        return self.language == SOURCE_LANGUAGE

    def in_language(self, language: str) -> "Target":
        """This book in another language: built from a localised copy of its pages and chapters into
        ``BASE/LANG/html``, beside the English book (``_build/th/html``, ``_build/editions/NAME/th/html``)."""
        if language == SOURCE_LANGUAGE:
            return self
        if not self.is_source_language:
            raise ValueError(f"{self} is already in {self.language}")
        base = self.base / language
        return Target(self.name, base / "src", base, language)


def default_target() -> Target:
    """The default book: the project's own pages, published in ``_build/html``."""
    return Target(DEFAULT_EDITION, ROOT, BUILD)


def edition_target(name: str) -> Target:
    """An edition: a copy of the pages with its own chapters, published in ``_build/editions/NAME/html``."""
    if not EDITION_NAME.fullmatch(name) or name == DEFAULT_EDITION:
        raise BookError(f"edition name {name!r}: use letters, digits, '-', '_' or '.', and not {DEFAULT_EDITION!r}")
    base = BUILD / "editions" / name
    return Target(name, base / "src", base)
