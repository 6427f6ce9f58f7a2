"""The public-opinion chapter: survey files checked, glued values equal the data, new waves by parameter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliance_book import data, paths

from conftest import REPO, cli, glued, read_rows, run_chapter, text, values, write_rows

NB = paths.NOTEBOOKS / "02_public_opinion.ipynb"
BASES = "us_should_have_long_term_military_bases_in_south_korea"
TROOPS = "use_us_troops_if_north_korea_invades_south_korea"


rows = read_rows
write = write_rows


def with_2025_wave(path: Path, support: float = 81.0) -> Path:
    """The shipped US file plus a clearly synthetic 2025 wave (never shipped in data/)."""
    table = rows(paths.DATA / "us_opinion.csv")
    template = next(r for r in table if r["measure"] == TROOPS and r["year"] == "2023" and r["response"] == "support")
    table.append(dict(template, year="2025", fieldwork="2025 (synthetic test wave)", fieldwork_start="", fieldwork_end="",
                      sample_size="", margin_of_error="", percent=str(support), confidence="low",
                      source="SYNTHETIC TEST FIXTURE - not real data", source_url="https://example.org/synthetic", note=""))
    return write(path, table)


def run(out: Path, **overrides) -> dict:
    return run_chapter("02_public_opinion", out, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("opinion"))


def test_shipped_survey_files_match_the_opinion_schema():
    assert data.check("rok_opinion")[1] == [] and data.check("us_opinion")[1] == []


BAD = {
    "share over 100": (lambda t: t[3].update(percent="140"), "line 5, column 'percent'"),
    "duplicate wave": (lambda t: t.append(dict(t[0])), "duplicate key"),
    # lines 2-3 hold one question's two answers (87.3 and 12.8): raising the second breaks the sum
    "answers sum over 100": (lambda t: t[1].update(percent="60"), "on lines 2, 3 sum to 147.3%"),
    "bound without period": (lambda t: next(r for r in t if r["statistic"] != "point").update(period_start=""),
                             "column 'period_start'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_survey_file_is_refused_naming_file_line_and_column(tmp_path, case):
    change, expected = BAD[case]
    table = rows(paths.DATA / "rok_opinion.csv")
    change(table)
    bad = write(tmp_path / "rok.csv", table)
    problems = data.check("rok_opinion", bad)[1]
    assert problems and all(str(bad) in p for p in problems)
    assert any(expected in p for p in problems), problems


def test_missing_column_is_refused(tmp_path):
    table = [{k: v for k, v in r.items() if k != "percent"} for r in rows(paths.DATA / "us_opinion.csv")]
    assert "missing column 'percent'" in data.check("us_opinion", write(tmp_path / "us.csv", table))[1][0]


def test_glued_us_headline_equals_the_longest_series_in_the_data(default_run):
    g = default_run
    series: dict[tuple, dict[int, float]] = {}
    for r in rows(paths.DATA / "us_opinion.csv"):
        series.setdefault((r["measure"], r["response"]), {})[int(r["year"])] = float(r["percent"])
    longest = max(series.values(), key=len)
    assert g["us_main_waves"] == len(longest)
    assert (g["us_main_latest_year"], g["us_main_latest"]) == (max(longest), longest[max(longest)])
    assert (g["us_main_first_year"], g["us_main_first"]) == (min(longest), longest[min(longest)])
    assert (g["us_main_low"], g["us_main_high"]) == (min(longest.values()), max(longest.values()))


def test_glued_counts_equal_the_data(default_run):
    g = default_run
    rok = rows(paths.DATA / "rok_opinion.csv")
    assert g["rok_n_values"] == sum(r["statistic"] == "point" for r in rok)
    assert g["rok_n_bounds"] == sum(r["statistic"] != "point" for r in rok)
    assert g["rok_n_organisations"] == len({r["organisation"] for r in rok})
    assert g["us_n_values"] == len(rows(paths.DATA / "us_opinion.csv"))


def test_bounds_are_described_as_bounds_not_points(default_run):
    summary = default_run["rok_summary"]["text/markdown"]
    bounds = [r for r in rows(paths.DATA / "rok_opinion.csv") if r["statistic"] != "point" and r["topic"] != "nuclear_armament"]
    for r in bounds:
        span = f"{r['period_start']}\u2013{r['period_end']}"
        assert f"of {span}, the share answering" in summary and f"{float(r['percent']):g}%" in summary


def test_seed_figures_are_checked_against_the_data(default_run):
    g = default_run
    assert (g["n_claims"], g["n_consistent"], g["n_differs"], g["n_uncheckable"]) == (3, 3, 0, 0)


def test_verdicts_follow_the_data(tmp_path):
    table = rows(paths.DATA / "us_opinion.csv")
    for r in table:
        if r["measure"] == BASES and r["year"] == "2022" and r["response"] == "support":
            r["percent"] = "61"
    changed = write(tmp_path / "us.csv", table)
    g = run(tmp_path, us_survey_csv=str(changed))
    assert (g["n_consistent"], g["n_differs"]) == (2, 1)
    assert "61" in g["claims_table"]["text/html"]


def test_measures_and_since_year_select_what_is_shown(tmp_path):
    g = run(tmp_path, measures=[BASES, "alliance_necessary"], since_year=2015)
    assert g["us_main_first_year"] == 2015 and g["us_main_question"].startswith("the US should have long-term")
    assert g["us_n_values"] == sum(1 for r in rows(paths.DATA / "us_opinion.csv")
                                   if r["measure"] == BASES and int(r["year"]) >= 2015)


def _documented_command() -> list[str]:
    """The `alliance-book run` line of the worked example in book/reproduce.md."""
    text_md = (REPO / "book" / "reproduce.md").read_text()
    section = text_md.split("## Worked example: add the 2025 wave", 1)[1].split("\n## ", 1)[0]
    line = next(l for l in section.splitlines() if "alliance-book run" in l)
    return re.sub(r"^.*alliance-book\s+", "", line.strip()).split()


def test_worked_example_in_reproduce_md_adds_the_2025_wave(project):
    args = _documented_command()
    fixture_name = args[args.index("us_survey_csv") + 1]
    with_2025_wave(project / fixture_name, support=81.0)
    result = cli(project, *args)
    assert result.returncode == 0, result.stderr
    # The reader opens the book the command names, and sees the new wave there.
    opened = project / re.search(r"Open (\S+index\.html)", result.stdout).group(1)
    chapter = opened.parent / "book" / "chapters" / "02_public_opinion.html"
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chapter.read_text()))
    assert re.search(r"81 ?% in 2025", page), page[:2000]
    source = opened.parent.parent / "src" / "book" / "chapters" / "02_public_opinion.ipynb"
    g = values(source)
    assert (g["us_main_latest_year"], g["us_main_latest"], g["us_main_high"]) == (2025, 81.0, 81.0)
    assert g["us_last_year"] == max(2025, max(int(r["year"]) for r in rows(paths.DATA / "us_opinion.csv")))


def test_new_wave_by_parameters_file_and_bad_wave_refused(project, tmp_path):
    wave = with_2025_wave(tmp_path / "us.csv", support=52.0)
    f = tmp_path / "edition.yaml"
    f.write_text(f"us_survey_csv: {wave}\n")
    result = cli(project, "run", "02_public_opinion", "-f", str(f))
    assert result.returncode == 0, result.stderr
    chapter = project / "_build/editions/edition/src/book/chapters/02_public_opinion.ipynb"
    assert text(glued(chapter)["us_main_latest"]) == 52.0
    bad = with_2025_wave(tmp_path / "bad.csv", support=140)
    result = cli(project, "run", "02_public_opinion", "-p", "us_survey_csv", str(bad))
    assert result.returncode != 0
    assert re.search(rf"{re.escape(str(bad))}, line \d+, column 'percent'", result.stderr)
