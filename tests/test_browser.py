"""The rendered book as readers get it, in a real Chromium driven by Playwright.

The browser is the system's Chromium (/usr/bin/chromium, installed by scripts/ensure-browser)
or, where there is none, Playwright's own. Screenshots of every chapter are saved in
``_build/screenshots`` (or $ALLIANCE_BOOK_SCREENSHOTS) for CI to keep.
"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import REPO, built_copy

playwright = pytest.importorskip("playwright.sync_api")

CHAPTERS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
SHOTS = Path(os.environ.get("ALLIANCE_BOOK_SCREENSHOTS", REPO / "_build" / "screenshots"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None  # Playwright's own download, if `playwright install chromium` was run


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A built book served over HTTP on localhost."""
    project = built_copy(tmp_path_factory.mktemp("browser") / "project")
    root = (project / "_build" / "html").resolve()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield project, root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield b
        b.close()


def visit(browser, url: str):
    """Open a page; return it with the console errors and failed requests seen while loading."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def pages(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html") if "_static" not in p.parts)


def test_every_page_loads_with_no_error_and_every_image_decodes(site, browser):
    _project, root, base = site
    assert len(pages(root)) >= len(CHAPTERS) + 4
    for name in pages(root):
        page, problems = visit(browser, f"{base}/{name}")
        assert problems == [], f"{name}: {problems}"
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.src)")
        assert broken == [], f"{name}: images that do not decode: {broken}"
        page.close()


def _count(project: Path, name: str, keep=lambda r: True) -> int:
    with (project / "data" / name).open(newline="", encoding="utf-8") as fh:
        return sum(1 for r in csv.DictReader(fh) if keep(r))


def test_each_chapter_shows_its_glued_numbers(site, browser):
    project, _root, base = site
    with (project / "data" / "us_troops.csv").open(newline="") as fh:
        peak = max(int(r["troops_active_duty"]) for r in csv.DictReader(fh))
    with (project / "data" / "nato_ip4_timeline.csv").open(newline="", encoding="utf-8") as fh:
        starts = [r for r in csv.DictReader(fh) if r["event_type"] == "dialogue_start"]
    first = min(starts, key=lambda r: r["date"])
    with (project / "data" / "nato_partners.csv").open(newline="", encoding="utf-8") as fh:
        short = {r["partner"]: r["short_name"] for r in csv.DictReader(fh)}
    expected = {
        "01_alliance_phases": f"{peak:,}",
        "02_public_opinion": f"{_count(project, 'us_opinion.csv')} on US opinion",
        "03_global_partnership": f"{_count(project, 'rok_deployments.csv')} units of its own abroad",
        "04_nato_indo_pacific": short[first["partner"]],
        "05_checking_sources": f"The ledger holds {_count(project, 'seed_claims.csv')} readings",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    for chapter in CHAPTERS:
        page, _ = visit(browser, f"{base}/book/chapters/{chapter}.html")
        glued = page.locator(".pasted-text")
        assert glued.count() > 0, chapter
        text = re.sub(r"\s+", " ", page.inner_text("article"))
        assert expected[chapter] in text, chapter
        if chapter == "04_nato_indo_pacific":  # the partner's name is glued, not typed: it is a pasted value
            assert expected[chapter] in [t.strip() for t in glued.all_inner_texts()], chapter
        page.screenshot(path=str(SHOTS / f"{chapter}.png"), full_page=True)
        page.close()


def test_search_finds_a_chapter_by_a_word_in_it(site, browser):
    _project, _root, base = site
    page, problems = visit(browser, f"{base}/search.html?q=Zaytun")
    page.wait_for_selector("#search-results li a", timeout=20_000)
    links = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
    assert any("03_global_partnership" in (href or "") for href in links), links
    assert problems == []
    page.close()


def test_next_and_previous_navigation(site, browser):
    _project, _root, base = site
    page, _ = visit(browser, f"{base}/book/chapters/{CHAPTERS[0]}.html")
    page.click("a.right-next")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"{CHAPTERS[1]}.html")
    page.click("a.left-prev")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"{CHAPTERS[0]}.html")
    page.close()


def test_each_chapter_links_its_downloads(site, browser):
    _project, _root, base = site
    for chapter in CHAPTERS:
        page, _ = visit(browser, f"{base}/book/chapters/{chapter}.html")
        hrefs = page.eval_on_selector_all("#downloads a", "els => els.map(e => e.href)")
        assert any(h.endswith(".ipynb") for h in hrefs), chapter
        for href in hrefs:
            response = page.request.get(href)
            assert response.ok and len(response.body()) > 0, href
        if chapter != "05_checking_sources":  # the ledger chapter has tables only
            assert any(h.endswith(".svg") for h in hrefs) and any(h.endswith(".png") for h in hrefs), chapter
        page.close()
