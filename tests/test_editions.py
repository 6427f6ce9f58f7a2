"""Editions: a book built with other parameters goes to its own folder; the default book stays as it is."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO, built_copy, cli
from test_build import visible_text
from test_cli import tree_hash

EDITION = REPO / "params" / "since-1978.yaml"


def _shipped(file: Path) -> list[tuple[str, str, object]]:
    """(chapter, parameter, value) for every parameter an edition file sets."""
    content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return [(chapter, name, value) for chapter, block in content.items() for name, value in block.items()]


def _words(value: object) -> str:
    """A value as the front page writes it: lists joined with commas."""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _default(chapter: str, name: str) -> object:
    """A parameter's value in the default book: params/default.yaml, else the notebook's own default."""
    from alliance_book import params

    block = yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8")).get(chapter, {})
    return block[name] if name in block else params.declared(REPO / "notebooks" / f"{chapter}.ipynb")[name]


def _rows(html: str) -> list[str]:
    """The items of the list of differences (or the rows of a table)."""
    return [visible_text(r) for r in re.findall(r"<(?:tr|li)\b.*?</(?:tr|li)>", html, re.S)]


def _shown_and_folded(html: str) -> tuple[str, str]:
    """A front page's edition section: what a reader sees at once, and what is folded in <details>."""
    section = html[html.index(">", html.index('id="this-edition"')) + 1:]
    section = section[:section.find("</section>")]
    return section.split("<details", 1) if "<details" in section else (section, "")


def _figures(html: str) -> list[tuple[str, str, str]]:
    """(id, number as captioned, suggested citation) of each numbered figure and table of a page."""
    found = []
    for m in re.finditer(r'<figure[^>]*id="([^"]+)"(.*?)</figure>', html, re.S):
        number = re.search(r'<span class="caption-number">([^<]+)</span>', m.group(2))
        cite = re.search(r'<p class="suggested-citation">(.*?)</p>', m.group(2), re.S)
        if number:
            found.append((m.group(1), number.group(1).strip(), htmllib.unescape(cite.group(1)) if cite else ""))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_copy(tmp_path_factory.mktemp("editions") / "project")


def test_shipped_edition_builds_without_touching_the_default_book(built):
    default = tree_hash(built / "_build" / "html")
    chapters = tree_hash(built / "book" / "chapters")
    result = cli(built, "build", "-f", "params/since-1978.yaml")
    assert result.returncode == 0, result.stderr
    assert tree_hash(built / "_build" / "html") == default
    assert tree_hash(built / "book" / "chapters") == chapters
    edition = built / "_build" / "editions" / "since-1978" / "html"
    front = visible_text((edition / "book" / "intro.html").read_text())
    assert "edition since-1978" in front
    # At once: only what differs from the default book, each with its default and its value in this edition.
    shown, folded = _shown_and_folded((edition / "book" / "intro.html").read_text())
    changed = _shipped(EDITION)
    rows = _rows(shown)
    for chapter, name, value in changed:
        row = next((r for r in rows if f" {name} " in f" {r} "), "")
        assert _words(value) in row, (name, rows)
        assert _words(_default(chapter, name)) in row, (name, row)
    assert len(rows) == len(changed)  # one item per changed parameter
    assert "{" not in visible_text(shown) and '"' not in visible_text(shown)  # no JSON
    # Folded away: every parameter of every chapter and the data files they read.
    assert "data/us_troops.csv" in visible_text(folded)
    assert all(f" {name} " in f" {visible_text(folded)} " for _c, name, _v in changed)
    chapter = visible_text((edition / "book/chapters/01_alliance_phases.html").read_text())
    assert "from 1978 to 2024" in chapter


def test_default_front_page_says_it_is_the_default_edition(built):
    front = visible_text((built / "_build/html/book/intro.html").read_text())
    assert "default edition" in front and "params/default.yaml" in front
    shown, folded = _shown_and_folded((built / "_build/html/book/intro.html").read_text())
    assert "<table" not in shown and "data/us_troops.csv" in visible_text(folded)  # the full list is folded


def test_an_edition_names_itself_and_what_it_changes_on_every_page_and_the_default_book_does_not(built):
    edition = built / "_build" / "editions" / "since-1978" / "html"
    if not edition.is_dir():
        assert cli(built, "build", "-f", str(EDITION.relative_to(REPO))).returncode == 0
    changed = _shipped(EDITION)
    pages = sorted(p for p in edition.rglob("*.html") if "_static" not in p.parts)
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "<body" not in text:
            continue  # index.html only redirects to the front page
        banner = re.search(r'<aside class="bd-header-announcement"[^>]*>(.*?)</aside>', text, re.S)
        assert banner, page
        words = visible_text(banner.group(1))
        assert "since-1978" in words and all(name in words and _words(v) in words for _c, name, v in changed), words
        assert re.search(r'href="([^"]*intro\.html)?#this-edition"', banner.group(1)), page
    for page in sorted((built / "_build" / "html").rglob("*.html")):
        assert "bd-header-announcement" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("book", ["_build/html", "_build/editions/since-1978/html"])
def test_every_figure_and_table_suggests_a_citation(built, book):
    if not (built / book).is_dir():
        assert cli(built, "build", "-f", str(EDITION.relative_to(REPO))).returncode == 0
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    year = re.findall(r"\d{4}", str(config["copyright"]))[-1]
    edition = "default edition" if book == "_build/html" else "edition since-1978"
    seen = 0
    for page in sorted((built / book / "book" / "chapters").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        for anchor, number, cite in _figures(html):
            words = visible_text(cite)
            kind = number.split()[0].lower()
            assert f"Cite this {kind}: {config['author']} ({year}). {number}: " in words, (page.name, anchor, words)
            assert config["title"] in words and f", {edition}." in words and "CC BY 4.0" in words, words
            assert f"book/chapters/{page.name}#{anchor}" in words and f'href="#{anchor}"' in cite, words
            assert 'href="https://creativecommons.org/licenses/by/4.0/"' in cite
            seen += 1
    notebooks = list((REPO / "notebooks").glob("*.md"))
    captioned = sum(len(re.findall(r"```\{glue:figure\}", nb.read_text(encoding="utf-8"))) for nb in notebooks)
    assert seen == captioned


def test_p_alone_builds_an_edition_named_custom(built):
    default = tree_hash(built / "_build" / "html")
    result = cli(built, "build", "-p", "since_year", "2015")
    assert result.returncode == 0, result.stderr
    assert (built / "_build/editions/custom/html/index.html").is_file()
    assert tree_hash(built / "_build" / "html") == default


def test_bad_edition_name_is_refused(built):
    result = cli(built, "build", "--edition", "../escape", "-p", "since_year", "2015")
    assert result.returncode != 0 and "edition name '../escape'" in result.stderr


def test_an_edition_that_changes_one_parameter_executes_one_notebook(built):
    result = cli(built, "build", "-p", "since_year", "2016", "--edition", "one-parameter")
    assert result.returncode == 0, result.stderr
    ran = [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ran ")]
    assert ran == ["02_public_opinion"]  # the only notebook that declares since_year
    report = (built / "_build/editions/one-parameter/changes.md").read_text()
    assert "compared with the default book" in report and "since_year" in report
