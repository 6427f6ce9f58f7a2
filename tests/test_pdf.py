"""The whole-book PDF (``alliance-book pdf``): contents, numbers, fonts, links, identical rebuilds.

One built copy of the project is printed once (and once more for the byte comparison); every
expectation is computed from that copy's data and executed chapters, never typed here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from conftest import built_copy, cli, glued, text

pypdf = pytest.importorskip("pypdf")
pikepdf = pytest.importorskip("pikepdf")
pytestmark = pytest.mark.pdf

GLUE_TEXT = re.compile(r"\{glue:text\}`([^`:]+):([^`]+)`")  # a number glued with a format spec, from its own chapter
HANGUL = re.compile(r"[\uac00-\ud7a3]{2,}")
THAI = re.compile(r"[\u0e00-\u0e7f]{4,}")


def squash(s: str) -> str:
    """Text with runs of white space as one space, and ligatures (ﬁ) as their letters."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s)).strip()


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A built copy of the project, its default book printed: (project, PDF path, PDF bytes of a second print)."""
    project = built_copy(tmp_path_factory.mktemp("pdf") / "project")
    first = cli(project, "pdf", "--edition", "default", timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    pdf = project / "_build" / "pdf" / "alliance-book.pdf"
    once = pdf.read_bytes()
    second = cli(project, "pdf", "--edition", "default", timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    return project, pdf, once


@pytest.fixture(scope="module")
def page_texts(printed) -> list[str]:
    _project, pdf, _once = printed
    return [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]


def chapter_titles(project: Path) -> list[str]:
    """The titles the built book's navigation lists (chapters, conclusion, About pages), in order."""
    intro = (project / "_build" / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    links = re.findall(r'<li class="toctree-l1"><a class="reference internal" href="[^"#]+">(.*?)</a>', intro, re.S)
    return [squash(re.sub(r"<[^>]+>", "", title)) for title in links]


def test_more_pages_than_chapters(printed, page_texts):
    project, _pdf, _once = printed
    assert len(page_texts) > 2 * len(chapter_titles(project))


def test_contents_give_the_page_where_each_chapter_starts(printed, page_texts):
    project, _pdf, _once = printed
    titles = chapter_titles(project)
    assert len(titles) >= len(list((project / "book" / "chapters").glob("*.ipynb"))) + 2
    contents = squash(page_texts[1])
    assert "Contents" in contents
    for title in titles:
        found = re.search(re.escape(title) + r" ?(\d+)", contents)
        assert found, f"{title!r} is not in the contents: {contents}"
        number = int(found.group(1))
        start = [squash(line) for line in page_texts[number - 1].splitlines()]
        before = [squash(line) for line in page_texts[number - 2].splitlines()]
        assert title in start, f"{title!r}: the contents say page {number}, which reads {start[:4]}"
        assert title not in before, f"{title!r} already stands as a line (a heading or running head) on page {number - 1}"


def test_every_chapter_shows_its_glued_numbers(printed, page_texts):
    project, _pdf, _once = printed
    whole = squash(" ".join(page_texts))
    chapters = sorted((project / "book" / "chapters").glob("*.ipynb"))
    assert chapters
    for chapter in chapters:
        values = glued(chapter)
        cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        shown = 0
        for key, spec in GLUE_TEXT.findall(source):
            value = text(values[key])
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert format(value, spec) in whole, f"{chapter.stem}: {key} = {format(value, spec)} not in the PDF"
                shown += 1
        assert shown > 0 or chapter.stem == "05_checking_sources", chapter.stem


def test_thai_and_korean_text_is_selectable(printed, page_texts):
    project, _pdf, _once = printed
    whole = " ".join(page_texts)
    data = " ".join(p.read_text(encoding="utf-8") for p in (project / "data").glob("*.csv"))
    thai, korean = set(THAI.findall(data)), set(HANGUL.findall(data))
    assert thai and any(t in whole for t in thai), "no Thai fragment of the data is in the PDF's text"
    if korean:  # Korean names in the sources, where the data hold any
        assert any(k in whole for k in korean), "no Korean text of the data is in the PDF's text"


def _fonts(resources, seen: set) -> list:
    """Every font dictionary under a resources dictionary, in form XObjects and Type 3 glyphs too."""
    found = []
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return found
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        found.append(font)
        found += _fonts(font.get("/Resources"), seen)
    for xobject in (resources.get("/XObject") or {}).values():
        found += _fonts(xobject.get("/Resources"), seen)
    return found


def test_every_font_is_embedded(printed):
    _project, pdf_path, _once = printed
    with pikepdf.open(pdf_path) as pdf:
        seen: set = set()
        fonts = [f for page in pdf.pages for f in _fonts(page.obj.get("/Resources"), seen)]
        assert fonts
        for font in fonts:
            if font.Subtype == "/Type3":  # glyphs drawn in the file itself (Chromium's way with CFF fonts)
                assert "/CharProcs" in font and "/ToUnicode" in font, repr(font)
                continue
            described = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
            descriptor = described.FontDescriptor
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), str(descriptor.FontName)


def test_internal_links_reach_pages_and_external_links_are_uris(printed):
    _project, pdf_path, _once = printed
    with pikepdf.open(pdf_path) as pdf:
        pages = {page.obj.objgen for page in pdf.pages}
        dests = pdf.Root.get("/Dests", {})
        internal = external = 0
        for page in pdf.pages:
            for link in (a for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"):
                if "/Dest" in link:
                    dest = dests[link.Dest] if isinstance(link.Dest, pikepdf.Name) else link.Dest
                    assert dest[0].objgen in pages, repr(link.Dest)
                    internal += 1
                else:
                    uri = str(link.A.URI)
                    assert re.match(r"(https?|mailto):", uri) and "book.invalid" not in uri, uri
                    external += 1
        assert internal > 0 and external > 0


def test_two_prints_are_identical_and_carry_no_date(printed):
    _project, pdf_path, once = printed
    assert pdf_path.read_bytes() == once
    with pikepdf.open(pdf_path) as pdf:
        assert "/CreationDate" not in pdf.docinfo and "/ModDate" not in pdf.docinfo


def test_no_chromium_is_a_clear_error_and_the_last_pdf_stays(printed, tmp_path):
    project, pdf_path, once = printed
    fake = tmp_path / "chromium"
    fake.write_text("not a browser\n")
    result = cli(project, "pdf", "--edition", "default", env={"CHROMIUM": str(fake)})
    assert result.returncode == 1
    assert "install Chromium" in result.stderr and "Traceback" not in result.stderr
    assert pdf_path.read_bytes() == once
