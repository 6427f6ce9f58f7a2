"""The book in Thai and Korean from the same notebooks: catalogs, localised chapters, language books.

Unit tests use small fixtures; the book tests build every language of the browser tests' copy
(``site``), which executes nothing again: each language is built from the executed chapters.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, cli, glued, html_pages, serve, text, visit

from alliance_book import i18n, localised, report, translations

LANGUAGES = [lang for lang in i18n.languages() if lang != i18n.SOURCE]
GLUE_ROLE = re.compile(r"\{glue:text\}`([\w]+)(?::([^`]+))?`")


# --- Locale formatting ----------------------------------------------------------------------

def test_thai_years_are_buddhist_era_and_korean_dates_are_written_the_korean_way():
    # The issue's own examples: พ.ศ. 2566 for 2023; 2023년 4월 26일.
    with i18n.language("th"):
        assert i18n.year(2023) == "พ.ศ. 2566"
        assert i18n.era_year(2023) == 2566
        assert i18n.date("2023-04-26").endswith("พ.ศ. 2566")
    with i18n.language("ko"):
        assert i18n.date("2023-04-26") == "2023년 4월 26일"
        assert i18n.era_year(2023) == 2023
    with i18n.language("en"):
        assert i18n.year(2023) == "2023" and i18n.era_year(2023) == 2023


def test_numbers_use_each_locales_separators():
    from babel.numbers import get_decimal_symbol, get_group_symbol

    for lang in i18n.languages():
        with i18n.language(lang):
            shown = i18n.number(1234567.891, 2)
        assert shown == f"1{get_group_symbol(lang)}234{get_group_symbol(lang)}567{get_decimal_symbol(lang)}89"


# --- One execution, every language -----------------------------------------------------------

def test_a_glued_value_carries_only_the_languages_where_it_differs():
    bundle = report.Localised({"en": 1990, "th": 2533, "ko": 1990})._repr_mimebundle_()
    assert bundle["text/plain"] == "1990"
    assert set(bundle[report.L10N_MIME]) == {"th"}
    assert bundle[report.L10N_MIME]["th"]["text/plain"] == "2533"
    assert report.L10N_MIME not in report.Localised({"en": "same", "th": "same"})._repr_mimebundle_()


def test_localising_a_chapter_swaps_in_the_languages_outputs_and_nothing_else():
    prefix = "application/papermill.record/"
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "k", "mime_prefix": prefix}},
         "data": {prefix + "text/plain": "'English'",
                  prefix + report.L10N_MIME: {"th": {"text/plain": "'ไทย'"}}}},
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "n", "mime_prefix": prefix}},
         "data": {prefix + "text/plain": "42"}}]}]}
    th = localised.localise(json.loads(json.dumps(nb)), "th")
    ko = localised.localise(json.loads(json.dumps(nb)), "ko")
    assert th["cells"][0]["outputs"][0]["data"] == {prefix + "text/plain": "'ไทย'"}
    assert ko["cells"][0]["outputs"][0]["data"] == {prefix + "text/plain": "'English'"}  # untranslated: English
    assert th["cells"][0]["outputs"][1] == nb["cells"][0]["outputs"][1]


# --- Catalogs: coverage and stale entries ----------------------------------------------------

def _catalog(path: Path, messages: dict[str, str], fuzzy: set[str] = frozenset()) -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="th")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog)
    return path


def test_coverage_names_untranslated_and_stale_messages(tmp_path):
    old = "The alliance was signed in {year}."
    new = "The alliance treaty was signed in {year}."
    pot = _catalog(tmp_path / "page.pot", {new: "", "What it means": "", "Data": ""})
    po = _catalog(tmp_path / "page.po", {old: "ลงนามพันธมิตรใน {year}", "What it means": "ความหมาย"})
    cov = translations.Coverage("th")
    translations.compare(pot, po, "page", cov)
    assert cov.total == 3 and cov.translated == 1 and not cov.complete
    assert [(c, m) for c, m, _ in cov.stale] == [("page", new)]
    assert cov.stale[0][2] == old  # the report names the English the translation was made for
    assert cov.untranslated == [("page", "Data")]
    report_text = "\n".join(cov.lines())
    assert "stale" in report_text and "untranslated" in report_text and "33.3%" in report_text


def test_a_stale_entry_written_by_an_update_still_names_what_changed(tmp_path):
    """`translations update` keeps the earlier English (#| msgid), which Babel writes but does not read."""
    from babel.messages.pofile import write_po

    old = "The count stayed at the same level in every year of the acts, a sentence long enough to wrap in the file."
    new = old.replace("acts", "act")
    template = _catalog(tmp_path / "page.pot", {new: ""})
    catalog = translations._read(_catalog(tmp_path / "old.po", {old: "ข้อความ"}))
    catalog.update(translations._read(template), no_fuzzy_matching=False)
    with open(tmp_path / "page.po", "wb") as fh:
        write_po(fh, catalog, include_previous=True, width=60)
    assert translations.previous_ids(tmp_path / "page.po") == {new: old}
    cov = translations.Coverage("th")
    translations.compare(template, tmp_path / "page.po", "page", cov)
    assert cov.stale == [("page", new, old)] and "'acts,' \u2192 'act,'" in "\n".join(cov.lines())


def test_a_fuzzy_translation_counts_as_untranslated_and_a_missing_catalog_as_empty(tmp_path):
    pot = _catalog(tmp_path / "p.pot", {"Sources": ""})
    cov = translations.Coverage("ko")
    translations.compare(pot, _catalog(tmp_path / "p.po", {"Sources": "출처"}, fuzzy={"Sources"}), "p", cov)
    translations.compare(pot, tmp_path / "absent.po", "absent", cov)
    assert cov.translated == 0 and cov.total == 2


def test_every_glue_role_of_a_message_is_kept_in_its_translation():
    roles = re.compile(r"\{[\w:]+\}`[^`]+`")
    wrong = []
    for po in sorted((REPO / "locales").rglob("*.po")):
        for m in translations._read(po):
            if m.id and m.string and not m.fuzzy and isinstance(m.string, str):
                if sorted(roles.findall(m.id)) != sorted(roles.findall(m.string)):
                    wrong.append(f"{po.relative_to(REPO)}: {m.id[:60]!r}")
    assert not wrong, "\n".join(wrong)


def test_every_placeholder_of_a_code_message_is_kept_in_its_translation():
    fields = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")
    wrong = []
    for lang in LANGUAGES:
        for po in i18n.code_catalogs(lang):
            for m in translations._read(po):
                pairs = zip(m.id, m.string) if isinstance(m.id, tuple) else [(m.id, m.string)]
                for msgid, msgstr in pairs:
                    if msgid and msgstr and not m.fuzzy and set(fields.findall(msgid)) != set(fields.findall(msgstr)):
                        wrong.append(f"{po.relative_to(REPO)}: {msgid[:60]!r}")
    assert not wrong, "\n".join(wrong)


# --- The books in every language -------------------------------------------------------------

@pytest.fixture(scope="session")
def languages_site(site):
    """The ``site`` copy built in every language: {language: html folder}, with the build's output."""
    project, root, _base = site
    result = cli(project, "build", "--language", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    books = {i18n.SOURCE: root}
    for lang in LANGUAGES:
        books[lang] = (project / "_build" / lang / "html").resolve()
    return project, books, result.stdout


def test_each_language_is_complete_and_reported_so(languages_site):
    project, _books, stdout = languages_site
    for lang in LANGUAGES:
        assert re.search(rf"^{lang}: 100\.0% translated", stdout, re.M), stdout
    pot = project / "_build" / "gettext"
    for lang in LANGUAGES:
        cov = translations.coverage(lang, pot)
        assert cov.complete and not cov.stale, "\n".join(cov.lines())


def test_every_page_declares_its_language_and_links_to_itself_in_the_others(languages_site):
    _project, books, _ = languages_site
    for lang, root in books.items():
        pages = [p for p in html_pages(root) if p.startswith("book/")]
        assert pages, lang
        for name in pages:
            html = (root / name).read_text(encoding="utf-8")
            assert re.search(rf'<html[^>]*\blang="{lang}"', html), f"{lang}/{name}"
            links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', html)
            assert {code for _href, code in links} == set(books) - {lang}, f"{lang}/{name}"
            for href, code in links:
                assert (root / name).parent.joinpath(href).resolve() == (books[code] / name).resolve(), href
                assert (books[code] / name).is_file(), f"{lang}/{name} -> {href}"


def _prose_roles(chapter: Path) -> dict[str, str | None]:
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    return {key: spec for cell in nb["cells"] if cell["cell_type"] == "markdown"
            for key, spec in GLUE_ROLE.findall("".join(cell["source"]))}


def _pasted(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<span class="pasted-text">(.*?)</span>', html, re.S)]


def test_every_language_shows_the_same_computed_numbers_with_thai_years_in_the_buddhist_era(languages_site):
    project, books, _ = languages_site
    checked, be_years = 0, 0
    for chapter in sorted((project / "book" / "chapters").glob("*.ipynb")):
        nb = json.loads(chapter.read_text(encoding="utf-8"))
        english = {k: text(v) for k, v in report.outputs(nb).items() if "text/plain" in v}
        page = f"book/chapters/{chapter.stem}.html"
        for lang, root in books.items():
            shown = {k: text(v) for k, v in report.outputs(localised.localise(json.loads(json.dumps(nb)), lang)).items()
                     if "text/plain" in v}
            pasted = _pasted((root / page).read_text(encoding="utf-8"))
            for key, spec in _prose_roles(chapter).items():
                value, en = shown.get(key), english.get(key)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
                    continue
                if value != en:  # a number differs between languages only as a year in the Buddhist Era
                    assert lang == "th" and value - en == i18n.BE_OFFSET, (lang, key, en, value)
                    be_years += 1
                expected = format(value, spec) if spec else str(value)
                assert expected in pasted, (lang, page, key, expected)
                checked += 1
    assert checked and (be_years or "th" not in books)


def test_figures_and_code_written_text_are_in_the_language(languages_site):
    import base64

    _project, books, _ = languages_site
    scripts = {"th": re.compile("[\u0e00-\u0e7f]"), "ko": re.compile("[\uac00-\ud7a3]")}
    for lang in LANGUAGES:
        for page in (books[lang] / "book" / "chapters").glob("*.html"):
            html = page.read_text(encoding="utf-8")
            svgs = [base64.b64decode(u).decode("utf-8") for u in re.findall(r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)', html)]
            for svg in svgs:
                title = re.search(r"<text[^>]*>([^<]+)</text>", svg)
                assert scripts[lang].search(svg), f"{lang}/{page.name}: a figure has no {lang} text ({title and title.group(1)})"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_text_and_figures_are_drawn_with_real_fonts(languages_site, browser, lang):
    from test_accessibility import _MARK_RUN, SCRIPTS, _fontconfig_families, _platform_fonts

    _project, books, _ = languages_site
    spec = SCRIPTS["Thai" if lang == "th" else "Korean"]
    server, base = serve(books[lang])
    try:
        page, problems = visit(browser, f"{base}/book/chapters/01_alliance_phases.html", width=390)
        assert page.evaluate(_MARK_RUN, [spec["chars"], lang]), "no text in the language"
        used = [f["familyName"] for f in _platform_fonts(page, f'[data-glyph-probe="{lang}"]') if f.get("glyphCount")]
        covering = _fontconfig_families(spec["lang"])
        assert used and all(f in covering or spec["names"].search(f) for f in used), used
        assert not problems, problems
        page.close()
    finally:
        server.shutdown()


def test_an_edition_builds_in_another_language(languages_site):
    project, _books, _ = languages_site
    lang = LANGUAGES[0]
    result = cli(project, "build", "-f", "params/since-1978.yaml", "--language", lang)
    assert result.returncode == 0, result.stdout + result.stderr
    index = project / "_build" / "editions" / "since-1978" / lang / "html" / "book" / "intro.html"
    assert re.search(rf'<html[^>]*\blang="{lang}"', index.read_text(encoding="utf-8"))


def test_a_changed_english_sentence_is_reported_as_a_stale_entry(languages_site, tmp_path):
    from conftest import clone

    project, _books, _ = languages_site
    copy = clone(project, tmp_path / "copy")
    intro = copy / "book" / "intro.md"
    lines = intro.read_text(encoding="utf-8").splitlines()
    # The first paragraph line of the page: change one word of it.
    i = next(i for i, line in enumerate(lines) if line and not line.startswith(("#", "`", ":", "(", "{", "<")) and " the " in line)
    lines[i] = lines[i].replace(" the ", " this ", 1)
    intro.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lang = LANGUAGES[0]
    result = cli(copy, "build", "--language", lang)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"^{lang}: \d+\.\d% translated", result.stdout, re.M)
    assert "stale in book/intro" in result.stdout, result.stdout


def test_a_no_op_rebuild_of_every_language_builds_nothing(languages_site):
    project, _books, _ = languages_site
    result = cli(project, "build", "--language", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ran " not in result.stdout and "done" not in result.stdout, result.stdout


def _numbers(text: str) -> list[int | float]:
    text = re.sub(r"\{[\w:]+\}`[^`]+`", " ", text)  # pasted values are not typed numbers
    text = re.sub(r"\]\([^)]*\)|https?://\S+", " ", text)  # nor are link targets
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def test_a_translation_types_no_number_that_its_english_does_not_have():
    """Numbers are computed: a translator writes a year in the reader's era, never a new number."""
    wrong = []
    for lang in LANGUAGES:
        for po in sorted((REPO / "locales" / lang).rglob("*.po")):
            for m in translations._read(po):
                if not (m.id and m.string and isinstance(m.string, str) and not m.fuzzy):
                    continue
                if m.context == "paraphrase_en":
                    continue  # our rendering of a seed article's claim: its numbers are the article's, in words
                english = set(_numbers(m.id))
                # A month written as a word in English is a number in a Korean date (June -> 6월).
                english |= {float(i) for i, month in enumerate(MONTHS, start=1) if month in m.id}
                # Number words and numerals (trilateral -> 3국, Article V -> 제5조, non-zero -> 0이 아닌).
                english |= set(map(float, range(13)))
                decades = [n for n in english if n % 10 == 0 and 1900 <= n <= 2100 and f"{int(n)}s" in m.id]
                for n in _numbers(m.string):
                    ce = n - i18n.BE_OFFSET if lang == "th" else n
                    if n in english or ce in english or any(d <= ce <= d + 9 for d in decades):
                        continue
                    wrong.append(f"{po.relative_to(REPO)}: {n:g} in {m.string[:70]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_of_each_language_passes_axe_wcag_a_and_aa(languages_site, browser, lang):
    from test_accessibility import axe_violations

    _project, books, _ = languages_site
    server, base = serve(books[lang])
    problems, audited = [], 0
    try:
        for name in html_pages(books[lang]):
            if not name.startswith("book/"):
                continue
            page, _ = visit(browser, f"{base}/{name}")
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            problems += [f"{lang}: {name}: {v}" for v in axe_violations(page)]
            audited += 1
            page.close()
    finally:
        server.shutdown()
    assert audited and problems == [], "axe-core found WCAG 2 A/AA violations:\n" + "\n".join(problems)


def test_a_citation_takes_a_captions_first_sentence_past_abbreviations():
    from alliance_book.sphinx_ext import first_sentence

    assert first_sentence("Troops by year, e.g. in 1952. More.") == "Troops by year, e.g. in 1952"
    # Thai writes the era as an abbreviation with full stops: พ.ศ. 2495 does not end a sentence.
    thai = "สัดส่วนทหารใน พ.ศ. 2495 (ค.ศ. 1952)"
    assert first_sentence(f"{thai}. ต่อไป") == thai
