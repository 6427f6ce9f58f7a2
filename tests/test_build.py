"""End to end: data -> executed chapter -> HTML book, rebuilt after a data change and kept after a failure."""

from __future__ import annotations

import base64
import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import cli, clone, copy_project, glued, values
from test_cli import tree_hash

CHAPTER = Path("_build/html/book/chapters/01_alliance_phases.html")


def counts(project: Path) -> dict[int, int]:
    with (project / "data" / "us_troops.csv").open(newline="") as fh:
        return {int(r["year"]): int(r["troops_active_duty"]) for r in csv.DictReader(fh)
                if r["host_country"] == "South Korea" and 1950 <= int(r["year"]) <= 2024}


def visible_text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+([,.;:%)])", r"\1", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The project copied and built once; the tests below read and then change it in order."""
    project = copy_project(tmp_path_factory.mktemp("e2e") / "project")
    # Files a working checkout has beside the book must not become pages (or warnings).
    (project / ".pytest_cache").mkdir()
    (project / ".pytest_cache" / "README.md").write_text("# cache\n")
    (project / "NOTES.md").write_text("# notes\n")
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_book_holds_the_chapter_with_glued_numbers_equal_to_the_data(built):
    text = visible_text((built / CHAPTER).read_text())
    c = counts(built)
    peak = max(c, key=c.get)
    assert f"At its highest count in the data, in {peak}, the United States had {c[peak]:,} active-duty personnel" in text
    assert f"the latest count, for {max(c)}, is {c[max(c)]:,}" in text


def test_opinion_chapter_renders_with_counts_equal_to_the_data(built):
    text = visible_text((built / "_build/html/book/chapters/02_public_opinion.html").read_text())
    with (built / "data" / "us_opinion.csv").open(newline="") as fh:
        n_us = sum(1 for _ in csv.DictReader(fh))
    assert f"and {n_us} on US opinion" in text
    g = values(built / "book/chapters/02_public_opinion.ipynb")
    assert f"Of {g['n_claims']} figures, {g['n_consistent']} are consistent with the data" in text


@pytest.mark.parametrize("page", ["01_alliance_phases", "02_public_opinion", "03_global_partnership",
                                  "04_nato_indo_pacific"])
def test_figures_in_the_book_exist_and_have_alt_text(built, page):
    html = (built / CHAPTER.with_name(f"{page}.html")).read_text()
    pictures = re.findall(r"<picture[^>]*>.*?</picture>", html, re.S)
    assert pictures
    for picture in pictures:
        # A drawing for phones and one for the column, each a whole SVG; the image names what it shows.
        drawings = re.findall(r'(?:src|srcset)="data:image/svg\+xml;base64,([^"]+)"', picture)
        assert len(drawings) == 2, picture[:200]
        for drawing in drawings:
            assert base64.b64decode(drawing).lstrip().startswith((b"<?xml", b"<svg")), drawing[:40]
        assert re.search(r'<img[^>]*alt="[^"]{20,}"', picture), picture[-300:]


def test_data_sources_page_lists_every_dataset_and_source(built):
    raw = (built / "_build/html/book/data-sources.html").read_text()
    # Sphinx writes typographic apostrophes; compare with plain ones.
    page = html.unescape(raw).replace("\u2019", "'") + raw
    package = json.loads((built / "data/datapackage.json").read_text())
    for res in package["resources"]:
        assert res["title"] in page, res["title"]
        for src in res["sources"]:
            assert src["path"] in page, src["path"]


def test_footer_states_the_content_licence(built):
    for page in ("book/intro.html", "book/chapters/01_alliance_phases.html"):
        assert "CC BY 4.0" in (built / "_build/html" / page).read_text()


def test_first_build_says_so_in_its_change_report(built):
    assert "first build" in (built / "_build" / "changes.md").read_text()
    assert "first build" in visible_text((built / "_build/html/book/changes.html").read_text())


def test_changed_data_value_changes_the_page_with_no_stale_value(built, tmp_path):
    built = clone(built, tmp_path / "project")
    before = {p.stem: glued(p) for p in (built / "book" / "chapters").glob("*.ipynb")}
    troops = built / "data" / "us_troops.csv"
    latest = max(counts(built))
    old = counts(built)[latest]
    troops.write_text(troops.read_text().replace(f",{latest},{old},", f",{latest},{old + 888},"))
    result = cli(built, "build")
    assert result.returncode == 0, result.stderr
    text = visible_text((built / CHAPTER).read_text())
    assert f"is {old + 888:,}" in text and f"{old:,}" not in text

    # The change report names exactly the glued values and figures that differ, and nothing else.
    from alliance_book import changes

    after = {p.stem: glued(p) for p in (built / "book" / "chapters").glob("*.ipynb")}
    differing = {(ch, key) for ch in after for key in after[ch] if after[ch][key] != before[ch].get(key)}
    compared = changes.compare(changes.read(built / "_build/manifest.previous.json"), changes.read(built / "_build"))
    reported = {(ch, key) for ch, c in compared.items() if c["status"] == "changed"
                for key in list(c["values"]) + list(c["figures"])}
    assert reported == differing
    assert ("01_alliance_phases", "fig_troops") in reported and ("01_alliance_phases", "latest_count") in reported
    assert not {key for ch, key in reported if ch.startswith(("02", "03", "04"))}
    # The page speaks to readers: each change under its label from the chapter's text, never under a glue key.
    report = (built / "_build" / "changes.md").read_text()
    assert "Re-executed because: data changed: data/us_troops.csv." in report
    labels = compared["01_alliance_phases"]["labels"]
    assert all(labels[key] in report for ch, key in reported if key in labels)
    assert "`latest_count`" not in report
    # No glue key, in any chapter, on the rendered page: readers get labels, captions and values.
    page = visible_text((built / "_build/html/book/changes.html").read_text())
    keys = {key for ch in after for key in after[ch]}
    assert keys and not [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", page)], page
    assert f"{old + 888:,}" in page  # the value as the chapter prints it
    # The same comparison is available on demand between the two kept manifests.
    diff = cli(built, "diff", str(built / "_build/manifest.previous.json"), str(built / "_build"))
    assert diff.returncode == 0 and labels["latest_count"] in diff.stdout


def test_failing_notebook_exits_non_zero_and_keeps_the_last_good_book(built, tmp_path):
    built = clone(built, tmp_path / "project")
    html_before = tree_hash(built / "_build/html")
    chapter = built / "book/chapters/01_alliance_phases.ipynb"
    chapter_before = chapter.read_bytes()
    nb_path = built / "notebooks/01_alliance_phases.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    bad = nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')")
    bad.metadata["tags"] = ["hide-input"]
    nb.cells.insert(5, bad)
    nbformat.write(nb, nb_path)
    result = cli(built, "build")
    assert result.returncode != 0
    assert "notebooks/01_alliance_phases.ipynb: cell 6 failed" in result.stderr
    assert "it begins: \"raise RuntimeError('deliberate failure for the test')\"" in result.stderr
    assert "RuntimeError: deliberate failure for the test" in result.stderr
    assert tree_hash(built / "_build/html") == html_before
    assert chapter.read_bytes() == chapter_before


def test_a_new_chapter_needs_only_its_notebook_and_its_data(tmp_path):
    """A notebook and a dataset (with its entry in the data package) make a chapter: no other file changes."""
    project = copy_project(tmp_path / "project")
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    (project / "data" / "extra.csv").write_text("year,value,source,source_url\n2020,7,Fixture,https://example.org/x\n")
    package = json.loads((project / "data" / "datapackage.json").read_text())
    package["resources"].append({
        "name": "extra", "path": "extra.csv", "parameter": "extra_csv", "title": "A fixture dataset",
        "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0"}],
        "sources": [{"title": "Fixture", "producer": "Tests", "path": "https://example.org/x", "accessed": "2026-01-01",
                     "license": "CC0-1.0", "citation": "Tests (2026)"}],
        "schema": {"fields": [{"name": "year", "type": "integer", "constraints": {"required": True}},
                              {"name": "value", "type": "integer"}, {"name": "source", "type": "string"},
                              {"name": "source_url", "type": "string"}], "primaryKey": ["year"]}})
    (project / "data" / "datapackage.json").write_text(json.dumps(package, indent=1))
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# An extra chapter\n\nThe value is {glue:text}`value`."),
                nbformat.v4.new_code_cell("from alliance_book import data, report", metadata={"tags": ["hide-input"]}),
                nbformat.v4.new_code_cell('extra_csv = "data/extra.csv"  # the fixture dataset',
                                          metadata={"tags": ["parameters", "hide-input"]}),
                nbformat.v4.new_code_cell('report.glue_all({"value": int(data.load_files(extra_csv=extra_csv)["extra"]'
                                          '["value"].iloc[0])})', metadata={"tags": ["hide-input"]})]
    nbformat.write(nb, project / "notebooks" / "06_extra.ipynb")
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    page = project / "_build/html/book/chapters/06_extra.html"
    assert "The value is 7" in visible_text(page.read_text())
    inputs = {p.relative_to(project) for p in project.rglob("*") if p.is_file()
              and not p.relative_to(project).parts[0] in ("_build",) and "chapters" not in p.parts
              and "_generated" not in p.parts}
    changed = {p for p in inputs if before.get(p) != (project / p).read_bytes()}
    assert changed == {Path("data/extra.csv"), Path("data/datapackage.json"), Path("notebooks/06_extra.ipynb")}


def test_a_new_year_of_troop_counts_appears_with_no_other_change(tmp_path):
    """The window follows the data: append a year, build, and the book's latest count is the new one."""
    project = copy_project(tmp_path / "project")
    troops = project / "data" / "us_troops.csv"
    rows = list(csv.DictReader(troops.open(newline="", encoding="utf-8")))
    mine = [r for r in rows if r["host_country"] == "South Korea" and r["series"] == "dmdc_report"]
    last = max(mine, key=lambda r: int(r["year"]))
    new = dict(last, year=str(int(last["year"]) + 1), troops_active_duty=str(int(last["troops_active_duty"]) - 7),
               source="SYNTHETIC TEST FIXTURE: a year appended by the test", note="")
    with troops.open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, list(rows[0])).writerow(new)
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    page = visible_text((project / CHAPTER).read_text())
    assert f"the latest count, for {new['year']}, is {int(new['troops_active_duty']):,}" in page


def test_a_host_country_never_seen_needs_only_its_troop_series(tmp_path):
    """The example of book/reproduce.md: a troop file and a host country, nothing else."""
    project = copy_project(tmp_path / "project")
    header = (project / "data" / "us_troops.csv").read_text().splitlines()[0]
    mine = project / "mydata" / "troops.csv"
    mine.parent.mkdir()
    mine.write_text(header + "\n" + "".join(f"Philippines,PHL,{y},{c},dmdc_report,September,fixture,https://example.org/f,\n"
                                            for y, c in ((2010, 120), (2011, 150), (2013, 90))))
    result = cli(project, "build", "-p", "troops_csv", "mydata/troops.csv", "-p", "host_country", "Philippines")
    assert result.returncode == 0, result.stdout + result.stderr
    page = visible_text((project / "_build/editions/custom/html/book/chapters/01_alliance_phases.html").read_text())
    assert "the latest count, for 2013, is 90" in page and "no milestones or phases" in page
