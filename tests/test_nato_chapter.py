"""The NATO chapter: timeline checked against the partner register, counts equal the data, new partners by data."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_book import data, params, paths
from alliance_book.errors import BookError

from conftest import cli, read_rows, run_chapter, write_rows, svg_size

NB = paths.NOTEBOOKS / "04_nato_indo_pacific.ipynb"
TESTLAND = "Testland (synthetic)"


def rows(name: str) -> list[dict[str, str]]:
    return read_rows(paths.DATA / name)


write = write_rows


def run(out: Path, **overrides) -> dict:
    return run_chapter("04_nato_indo_pacific", out, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("nato"))


def test_summit_heads_and_ladder_equal_the_data(default_run):
    g = default_run
    timeline = rows("nato_ip4_timeline.csv")
    partners = params.read_yaml(paths.DEFAULT_PARAMS)["04_nato_indo_pacific"]["partners"]
    heads = {y: sum(1 for r in timeline if r["year"] == str(y) and r["event_type"] == "summit_attendance"
                    and r["attendance_level"] == "head_of_government" and r["partner"] in partners)
             for y in (2022, 2025)}
    assert (g["first_summit_heads"], g["last_summit_heads"]) == (heads[2022], heads[2025])
    starts = {r["partner"]: int(r["year"]) for r in timeline if r["step"] == "dialogue_start"}
    itpp = {r["partner"]: int(r["year"]) for r in timeline if r["step"] == "itpp"}
    gaps = {p: itpp[p] - starts[p] for p in itpp}
    assert g["itpp_fastest_years"] == min(gaps.values()) and g["itpp_slowest_years"] == max(gaps.values())
    assert g["n_with_itpp"] == len(gaps) and g["first_dialogue_year"] == min(starts.values())


def test_summit_matrix_separates_heads_from_deputies(default_run):
    table = default_run["summit_table"]["text/html"]
    assert "Deputy or minister: Wi Sung-lac" in table and "Head of government: Christopher Luxon" in table


def test_cooperation_areas_quote_the_seed_and_the_source(default_run):
    table = default_run["areas_table"]["text/html"]
    for r in rows("nato_cooperation_areas.csv"):
        assert r["fragment_th"] in table and r["fragment_en"] in table


def test_seed_dates_are_checked(default_run):
    ids = params.read_yaml(paths.DEFAULT_PARAMS)["04_nato_indo_pacific"]["claim_ids"]
    g = default_run
    assert g["n_claims"] == len(ids) and g["n_consistent"] + g["n_differs"] + g["n_uncheckable"] == len(ids)


def _with_testland(tmp_path: Path) -> tuple[Path, Path]:
    register = rows("nato_partners.csv")
    register.append(dict(register[0], partner=TESTLAND, short_name="Testland", source="SYNTHETIC TEST FIXTURE",
                         source_url="https://example.org/fixture"))
    timeline = rows("nato_ip4_timeline.csv")
    base = dict(timeline[0], partner=TESTLAND, source="SYNTHETIC TEST FIXTURE", source_url="https://example.org/fixture",
                note="", summit="", representative="", representative_role="", attendance_level="")
    timeline += [
        dict(base, date="2010", date_precision="year", year="2010", event_type="dialogue_start", step="dialogue_start",
             event="Testland dialogue begins"),
        dict(base, date="2015-03", date_precision="month", year="2015", event_type="partnership_document", step="itpp",
             event="Testland ITPP"),
        dict(base, date="2024-07", date_precision="month", year="2024", event_type="summit_attendance",
             step="summit_attendance", event="NATO Summit, Washington", summit="Washington", representative="T. Lander",
             representative_role="Prime Minister", attendance_level="head_of_government"),
    ]
    return write(tmp_path / "partners.csv", register), write(tmp_path / "timeline.csv", timeline)


def test_a_partner_added_to_the_data_appears_everywhere(default_run, tmp_path):
    partners_csv, timeline_csv = _with_testland(tmp_path)
    partners = ["Japan", "Republic of Korea", "Australia", "New Zealand", TESTLAND]
    g = run(tmp_path, partners_csv=str(partners_csv), timeline_csv=str(timeline_csv), partners=partners)
    assert g["n_partners"] == len(partners)
    assert "Testland" in g["ladder_table"]["text/html"] and "Testland" in g["summit_table"]["text/html"]
    assert "Head of government: T. Lander" in g["summit_table"]["text/html"]
    assert (g["itpp_fastest_partner"], g["itpp_fastest_years"]) == ("Testland", 5)
    heads_2024 = sum(1 for r in rows("nato_ip4_timeline.csv") if r["year"] == "2024"
                     and r["attendance_level"] == "head_of_government" and r["partner"] in partners)
    assert f"Washington 2024: {heads_2024 + 1} of {len(partners)}" in g["summit_sentence"]
    assert svg_size(g["fig_timeline"])[1] > svg_size(default_run["fig_timeline"])[1]  # one more row


def test_cli_validates_a_new_partner_against_the_given_register(project, tmp_path):
    partners_csv, timeline_csv = _with_testland(tmp_path)
    only_timeline = cli(project, "run", "04_nato_indo_pacific", "-p", "timeline_csv", str(timeline_csv))
    assert only_timeline.returncode != 0
    assert "column 'partner': 'Testland (synthetic)' is not in data/nato_partners.csv" in only_timeline.stderr
    both = cli(project, "run", "04_nato_indo_pacific", "-p", "timeline_csv", str(timeline_csv),
               "-p", "partners_csv", str(partners_csv), "-p", "partners", f'["Japan", "{TESTLAND}"]')
    assert both.returncode == 0, both.stderr


@pytest.mark.parametrize("change, expected", [
    (lambda r: r.update(partner="Japna"), "column 'partner': 'Japna' is not in"),
    (lambda r: r.update(event_type="handshake"), "column 'event_type'"),
    (lambda r: r.update(date="2012-06", date_precision="day"), "does not match date precision 'day'"),
    (lambda r: r.update(date="1995", date_precision="decade", year="1995"), "does not match date precision 'decade'"),
    (lambda r: r.update(attendance_level=""), "column 'attendance_level'"),
])
def test_bad_timeline_rows_are_refused_naming_file_line_and_column(tmp_path, change, expected):
    timeline = rows("nato_ip4_timeline.csv")
    summit_line = next(i for i, r in enumerate(timeline) if r["event_type"] == "summit_attendance")
    target = summit_line if "attendance" in expected else 0
    change(timeline[target])
    bad = write(tmp_path / "timeline.csv", timeline)
    problems = data.check("nato_ip4_timeline", bad)[1]
    assert any(f"{bad}, line {target + 2}" in p and expected in p for p in problems), problems


def test_unknown_partner_or_event_type_parameter_is_refused(tmp_path):
    with pytest.raises(BookError, match="parameter partners: Atlantis"):
        run(tmp_path, partners=["Atlantis"])
    with pytest.raises(BookError, match="parameter event_types: handshake"):
        run(tmp_path, event_types=["handshake"])
