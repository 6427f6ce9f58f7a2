"""Accessibility and glyphs in a real Chromium: axe-core on every page of every book, Thai and Korean fonts.

- axe-core (npm, ``node_modules/axe-core``, installed by ``make test`` with ``npm ci``) audits every
  page of the default book and of each edition in ``params/``, with every dropdown unfolded, against
  the WCAG 2 A and AA rules; a violation fails the test with its rule, impact, elements and help.
- The Thai fragments the book quotes from its seed articles, and Korean text set in a book page,
  render with real Thai and Korean fonts (asked of Chromium through the DevTools protocol), fonts that
  the stack in ``book/_static/custom.css`` names, not a fallback that draws boxes.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import REPO, html_pages, visit

pytest.importorskip("playwright.sync_api")

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
CSS = REPO / "book" / "_static" / "custom.css"
CHAPTERS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))

# Per script: the characters, the language fontconfig knows it by, family names that say so, the
# Debian package that provides such fonts, and a sample for a page that has none of the script.
SCRIPTS = {
    "Thai": {"chars": "\u0e00-\u0e7f", "lang": "th", "names": re.compile(r"thai|tlwg|loma|garuda|waree|umpush|sawasdee|kinnari|norasi|laksaman", re.I),
             "package": "fonts-thai-tlwg", "sample": "\u0e1e\u0e31\u0e19\u0e18\u0e21\u0e34\u0e15\u0e23"},
    "Korean": {"chars": "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f", "lang": "ko",
               "names": re.compile(r"cjk|\bkr\b|nanum|\bun[ a-z]|gothic neo|malgun", re.I),
               "package": "fonts-noto-cjk", "sample": "\ud55c\ubbf8\ub3d9\ub9f9"},
}


def axe_violations(page) -> list[str]:
    """Run axe-core on an open page (WCAG 2 A and AA); each violation as one line a reader can act on."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", WCAG)
    found = []
    for v in result["violations"]:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        more = f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        found.append(f"{v['id']} [{v['impact']}] on {targets}{more}: {v['help']} ({v['helpUrl']})")
    return found


def test_every_page_of_every_book_passes_axe_wcag_a_and_aa(editions_site, browser):
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(REPO)} is missing: run `make node_modules` (npm ci) first")
    problems = []
    audited = 0
    for edition, root, base in editions_site:
        names = html_pages(root)
        assert len(names) >= len(CHAPTERS) + 4, edition
        for name in names:
            page, _ = visit(browser, f"{base}/{name}")
            # Audit what a reader can unfold too (dropdowns, hidden code cells): axe skips hidden content.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            problems += [f"{edition}: {name}: {v}" for v in axe_violations(page)]
            audited += 1
            page.close()
    assert audited >= len(editions_site) * (len(CHAPTERS) + 4)
    assert problems == [], "axe-core found WCAG 2 A/AA violations:\n" + "\n".join(problems)


def _families(css: str) -> list[str]:
    """The font families the book's own stylesheet names for its text."""
    declared = re.search(r"--pst-font-family-base:([^;]+);", css)
    assert declared, "custom.css sets no --pst-font-family-base"
    return [f.strip().strip('"\'') for f in declared.group(1).split(",")]


def _fontconfig_families(lang: str) -> set[str]:
    """Families fontconfig says cover a language (empty when fontconfig is not there to ask)."""
    if not shutil.which("fc-list"):
        return set()
    out = subprocess.run(["fc-list", f":lang={lang}", "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def _platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium used to draw the text of an element (DevTools: CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


# Wrap the first run of the script's characters in the page's text in a span, so that its fonts are asked alone.
_MARK_RUN = """([chars, mark]) => {
  const run = new RegExp(`[${chars}]+`);
  const walker = document.createTreeWalker(document.querySelector('article') || document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const m = run.exec(n.data);
    if (!m || !n.parentElement.checkVisibility()) continue;  // folded away (a hidden cell): not drawn
    const range = document.createRange();
    range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
    const span = document.createElement('span'); span.setAttribute('data-glyph-probe', mark);
    range.surroundContents(span);
    return m[0];
  }
  return null;
}"""

# Set a sample in a new span inside a paragraph of the page's article: it inherits the page's font stack.
_INSERT_SAMPLE = """([sample, mark]) => {
  const p = document.querySelector('article p');
  const span = document.createElement('span'); span.setAttribute('data-glyph-probe', mark);
  span.textContent = sample; p.appendChild(span);
  return getComputedStyle(span).fontFamily;
}"""


def _book_pages_with(root, chars: str) -> list[str]:
    """Pages whose article (not the navigation, where the language switcher names each language) has the script."""
    run = re.compile(f"[{chars}]")
    article = re.compile(r"<article\b.*?</article>", re.S)
    return [name for name in html_pages(root)
            if any(run.search(a) for a in article.findall((root / name).read_text(encoding="utf-8")))]


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_thai_and_korean_text_render_with_real_fonts_the_stylesheet_names(site, browser, script):
    _project, root, base = site
    spec = SCRIPTS[script]
    stack = _families(CSS.read_text(encoding="utf-8"))
    assert any(spec["names"].search(f) for f in stack), f"custom.css names no {script} font: {stack}"
    quoted = _book_pages_with(root, spec["chars"])
    if script == "Thai":
        assert quoted, "the book quotes Thai fragments of its seed articles, but no page shows Thai text"
    name = quoted[0] if quoted else f"book/chapters/{CHAPTERS[0]}.html"
    page, _ = visit(browser, f"{base}/{name}")
    text = page.evaluate(_MARK_RUN, [spec["chars"], script]) if quoted else None
    if script == "Thai":
        assert text, f"{name}: the Thai fragments are not shown in the article"
    if not text:  # the book shows no text in this script: set a sample in one of its pages
        text = spec["sample"]
        page.evaluate(_INSERT_SAMPLE, [text, script])
    fonts = _platform_fonts(page, f'[data-glyph-probe="{script}"]')
    page.close()
    covering = _fontconfig_families(spec["lang"])
    used = [f["familyName"] for f in fonts if f.get("glyphCount", 0) > 0]
    real = [f for f in used if f in covering or spec["names"].search(f)]
    assert used and real == used, (
        f"{name}: {script} text {text!r} is drawn with {used or 'no font'}, not a {script} font "
        f"(boxes instead of letters); install one, e.g. the Debian package {spec['package']}")
    assert set(used) <= set(stack), (
        f"{name}: {script} text is drawn with {used}, which the font stack of custom.css does not name "
        f"({stack}); the browser fell back to a font of its own choosing")
