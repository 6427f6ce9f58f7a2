"""The rendered book as readers get it, in a real Chromium driven by Playwright.

The browser is the system's Chromium (/usr/bin/chromium, installed by scripts/ensure-browser)
or, where there is none, Playwright's own; the fixtures (``site``, ``browser``, ``visit``) are in
conftest.py, shared with the other browser test modules. Screenshots of every chapter are saved in
``_build/screenshots`` (or $ALLIANCE_BOOK_SCREENSHOTS) for CI to keep.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from conftest import REPO, html_pages, visit

pytest.importorskip("playwright.sync_api")

CHAPTERS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
SHOTS = Path(os.environ.get("ALLIANCE_BOOK_SCREENSHOTS", REPO / "_build" / "screenshots"))
pages = html_pages


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
