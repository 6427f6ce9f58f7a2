"""The Chromium that Playwright drives: the system's, started with the same switches everywhere.

The browser tests and ``alliance-book pdf`` both use it. The system Chromium (``/usr/bin/chromium``,
or ``$CHROMIUM``, or ``chromium`` on the PATH) is preferred; ``scripts/ensure-browser`` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alliance_book.errors import BookError

# Headless in a container: no sandbox, no GPU, nothing fetched in the background.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
INSTALL_HINT = ("install Chromium (Debian: `apt-get install chromium`, or run `make browser`), "
                "or set CHROMIUM to its path")


def chromium_path() -> str | None:
    """The system Chromium's path, or None (then Playwright's own download is tried)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), closed on exit; a clear BookError when there is none."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise BookError("the Python package playwright is missing; reinstall the project (make book)") from None
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        except Error as exc:
            raise BookError(f"cannot start Chromium: {INSTALL_HINT}.\n{str(exc).splitlines()[0]}") from None
        try:
            yield browser
        finally:
            browser.close()
