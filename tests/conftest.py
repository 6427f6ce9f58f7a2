"""Shared fixtures: a throwaway copy of the project, a CLI runner, reading glued values, and the browser.

The browser fixtures serve one built copy of the project for the whole session (``site``), with its
editions built beside it on demand (``editions_site``), to every browser test module.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "node_modules", "__pycache__", "*.egg-info", ".pytest_cache",
                                "_generated")


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file as a list of rows (column -> text)."""
    import csv

    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, table: list[dict[str, str]], columns: list[str] | None = None,
               delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """Write rows as a CSV file (only ``columns``, if given); return its path."""
    import csv

    with Path(path).open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, columns or list(table[0]), extrasaction="ignore", delimiter=delimiter)
        writer.writeheader()
        writer.writerows(table)
    return Path(path)


def copy_project(root: Path) -> Path:
    """Copy the project's inputs (no venv, no build, no executed chapters) to ``root``."""
    root.mkdir(parents=True)
    for name in ("data", "notebooks", "params", "book", "locales", "_config.yml", "_toc.yml"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=IGNORE)
        else:
            shutil.copy2(src, root / name)
    for executed in (root / "book" / "chapters").glob("*.ipynb"):
        executed.unlink()
    return root


def built_copy(root: Path) -> Path:
    """A copy of the project at ``root`` with its default book built (the build must succeed)."""
    copy_project(root)
    result = cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def clone(built: Path, root: Path) -> Path:
    """A copy of a built project (book, chapters, caches and all), for a test that changes it."""
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project to change freely."""
    return copy_project(tmp_path / "project")


def cli(root: Path, *args: str, cwd: Path | None = None, timeout: int = 600,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``alliance-book`` on the project at ``root`` as a user would, in a new process (``env`` added)."""
    env = {**os.environ, **(env or {}), "ALLIANCE_BOOK_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "alliance_book", *args],
        cwd=cwd or root, env=env, capture_output=True, text=True, timeout=timeout,
    )


def glued(notebook: Path) -> dict:
    """Every value a notebook glued (myst-nb ``glue``), by key: its MIME bundle."""
    from alliance_book import report

    return report.outputs(json.loads(notebook.read_text(encoding="utf-8")))


def text(bundle: dict):
    """The Python value of a glued text/plain repr (numbers and strings)."""
    import ast

    raw = bundle["text/plain"]
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


RICH = {"image/png", "image/svg+xml", "text/html", "text/markdown"}


def values(notebook: Path) -> dict:
    """Glued values of an executed notebook: Python values for plain ones, the bundle for figures and tables."""
    return {k: (v if RICH & set(v) else text(v)) for k, v in glued(notebook).items()}


def run_chapter(stem: str, out: Path, **overrides) -> dict:
    """Execute a chapter with its default parameters and ``overrides`` into ``out``; return its glued values."""
    from alliance_book import execute, params, paths

    defaults = params.read_yaml(paths.DEFAULT_PARAMS)[stem]
    run = params.Run(paths.NOTEBOOKS / f"{stem}.ipynb", {**defaults, **overrides})
    return values(execute.execute(run, out_dir=out, failed_dir=out / "failed"))


def svg_size(bundle: dict) -> tuple[float, float]:
    """Width and height (points) of a glued SVG figure."""
    import re

    svg = "".join(bundle["image/svg+xml"]) if isinstance(bundle["image/svg+xml"], list) else bundle["image/svg+xml"]
    width = re.search(r'width="([\d.]+)pt"', svg)
    height = re.search(r'height="([\d.]+)pt"', svg)
    return float(width.group(1)), float(height.group(1))


# --- The browser: a built book served on localhost, and a Chromium driven by Playwright -------------

def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder over HTTP on localhost, quietly; return the server and its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """A built book served over HTTP on localhost: (project, html folder, base URL), one for the session."""
    project = built_copy(tmp_path_factory.mktemp("browser") / "project")
    root = (project / "_build" / "html").resolve()
    server, base = serve(root)
    yield project, root, base
    server.shutdown()


def edition_files() -> list[Path]:
    """The editions that ship with the project: every parameters file but the default one and sweep files."""
    from alliance_book import params

    return params.edition_files(REPO / "params")


@pytest.fixture(scope="session")
def editions_site(site):
    """Every book readers may get, served: the default book of ``site`` and each shipped edition, built in
    the same copy (the default book is not built again). A list of (edition name, html folder, base URL)."""
    project, root, base = site
    books = [("default", root, base)]
    servers = []
    for file in edition_files():
        result = cli(project, "build", "-f", f"params/{file.name}")
        assert result.returncode == 0, result.stdout + result.stderr
        html = (project / "_build" / "editions" / file.stem / "html").resolve()
        server, url = serve(html)
        servers.append(server)
        books.append((file.stem, html, url))
    yield books
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """The Chromium of ``alliance-book pdf`` (alliance_book.browser), one for the session."""
    pytest.importorskip("playwright.sync_api")
    from alliance_book.browser import chromium

    with chromium() as b:
        yield b


def visit(browser, url: str, width: int = 1280, height: int = 900):
    """Open a page; return it with the console errors and failed requests seen while loading."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def html_pages(root: Path) -> list[str]:
    """Every page of a built book, relative to its root."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html") if "_static" not in p.parts)
