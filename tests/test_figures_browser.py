"""Figures as readers see them, on a phone (390 px) and in a book column (1280 px), in Chromium.

Each figure is a ``<picture>``: the browser picks the drawing for the screen. The test reads the
SVG the browser chose and measures its text at the size it is shown.
"""

from __future__ import annotations

import pytest

from conftest import REPO

pytest.importorskip("playwright.sync_api")

CHAPTERS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
SMALLEST_PX = 9.0  # CSS px

# For each figure the browser shows: the smallest text (CSS px as shown), texts cut with an ellipsis,
# legends with two entries drawn alike, whether the phone drawing was chosen, and the alt text.
MEASURE = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('article picture img')) {
    const svgText = await (await fetch(img.currentSrc)).text();
    const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
    const scale = img.getBoundingClientRect().width / Number(svg.getAttribute('viewBox').split(/\\s+/)[2]);
    let smallest = Infinity, smallestText = '';
    const texts = [...svg.querySelectorAll('text')];
    for (const t of texts) {
      const size = /font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style') || '');
      if (size && t.textContent.trim() && Number(size[1]) * scale < smallest) {
        smallest = Number(size[1]) * scale; smallestText = t.textContent;
      }
    }
    const alike = [];
    for (const legend of svg.querySelectorAll('g[id^="legend_"]')) {
      const looks = []; let look = '';
      for (const child of legend.children) {
        if (child.id.startsWith('text_')) { if (look) looks.push(look); look = ''; continue; }
        look += [...child.querySelectorAll('use, path, rect')].map(
          e => (e.getAttribute('xlink:href') || e.tagName) + (e.getAttribute('style') || '')).join(';');
      }
      const seen = new Set();
      for (const l of looks) { if (seen.has(l)) alike.push(legend.id); seen.add(l); }
    }
    out.push({smallest, smallestText, cut: texts.filter(t => t.textContent.includes('\\u2026')).map(t => t.textContent),
              alike, phone: img.currentSrc !== img.src, alt: img.alt, shownWidth: img.getBoundingClientRect().width,
              column: img.closest('article').getBoundingClientRect().width});
  }
  return out;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_figure_text_is_readable_and_legends_whole_on_a_phone_and_in_a_column(site, browser, width):
    _project, _root, base = site
    seen = 0
    for chapter in CHAPTERS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{base}/book/chapters/{chapter}.html", wait_until="networkidle")
        for i, fig in enumerate(page.evaluate(MEASURE)):
            where = f"{chapter} figure {i + 1} at {width} px"
            assert fig["smallest"] >= SMALLEST_PX, f"{where}: text {fig['smallestText']!r} is {fig['smallest']:.1f} px"
            assert fig["cut"] == [], f"{where}: text cut short: {fig['cut']}"
            assert fig["alike"] == [], f"{where}: two legend entries drawn alike in {fig['alike']}"
            assert fig["phone"] == (width < 600), f"{where}: the wrong drawing for the screen"
            assert fig["alt"].strip(), f"{where}: no alt text"
            assert fig["shownWidth"] <= fig["column"] + 1, f"{where}: wider than the page"
            seen += 1
        page.close()
    assert seen >= len(CHAPTERS) - 1  # every chapter but the ledger has figures


def test_reader_pages_show_no_code(site, browser):
    _project, _root, base = site
    for chapter in CHAPTERS:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/book/chapters/{chapter}.html", wait_until="networkidle")
        assert page.locator("article .cell_input").count() == 0, chapter
        assert page.get_by_text("Show code cell").count() == 0, chapter
        page.close()
