"""Datasets are validated against data/datapackage.json; every problem names file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_book import data, datapackage, paths
from alliance_book.errors import MAX_REPORTED, BookError

from conftest import read_rows, write_rows

TROOPS = paths.DATA / "us_troops.csv"


def rows(path: Path) -> list[dict[str, str]]:
    return read_rows(path)


write = write_rows

def test_every_shipped_dataset_matches_its_schema():
    assert data.validate_all() == []


def test_every_csv_in_data_is_described_in_the_package():
    described = {r["path"] for r in datapackage.package()["resources"]}
    assert {p.name for p in paths.DATA.glob("*.csv")} == described


def test_every_resource_names_its_sources_with_url_access_date_licence_and_citation():
    for res in datapackage.package()["resources"]:
        assert res["sources"], res["name"]
        for src in res["sources"]:
            for key in ("title", "producer", "path", "accessed", "license", "citation"):
                assert src.get(key), (res["name"], key)
        assert datapackage.schema(res["name"]).get("primaryKey"), res["name"]


def test_every_row_carries_its_source_and_url():
    """Rows from different publications name their own; the claims ledger cites its article by key."""
    for name in datapackage.resource_names():
        df = data.load(name)
        if name == "seed_claims":
            assert df["article"].notna().all()
            continue
        assert df["source"].notna().all() and df["source_url"].str.startswith("http").all(), name


def test_load_returns_typed_table_with_origin():
    df = data.load("us_troops")
    assert str(df["troops_active_duty"].dtype) == "Int64"
    assert df.attrs["file"] == "data/us_troops.csv"
    by_year = {int(r["year"]): int(r["troops_active_duty"]) for r in rows(TROOPS) if r["series"] == "dmdc_report"}
    loaded = df[df["series"] == "dmdc_report"].set_index("year")["troops_active_duty"].to_dict()
    assert {int(k): int(v) for k, v in loaded.items()} == by_year


def _mutate(tmp_path: Path, change) -> Path:
    table = rows(TROOPS)
    columns = list(table[0])
    result = change(table, columns)
    if isinstance(result, tuple):
        table, columns = result
    return write(tmp_path / "troops.csv", table, columns)


BAD_TROOPS = {
    "negative count": (lambda t, c: t[3].update(troops_active_duty="-5"), "line 5, column 'troops_active_duty'"),
    "text in a count": (lambda t, c: t[0].update(troops_active_duty="many"), "line 2, column 'troops_active_duty'"),
    "year out of range": (lambda t, c: t[1].update(year="1850"), "line 3, column 'year'"),
    "unknown series": (lambda t, c: t[2].update(series="guess"), "line 4, column 'series'"),
    "duplicate key": (lambda t, c: t.append(dict(t[0])), "duplicate key"),
    "missing required value": (lambda t, c: t[4].update(source=""), "line 6, column 'source'"),
    "missing column": (lambda t, c: (t, [x for x in c if x != "year"]), "missing column 'year'"),
    "renamed column": (lambda t, c: ([{("yr" if k == "year" else k): v for k, v in r.items()} for r in t],
                                     ["yr" if x == "year" else x for x in c]), "missing column 'year'"),
}


@pytest.mark.parametrize("case", sorted(BAD_TROOPS))
def test_bad_troop_file_is_refused_naming_file_line_and_column(tmp_path, case):
    change, expected = BAD_TROOPS[case]
    bad = _mutate(tmp_path, change)
    before = bad.read_bytes()
    df, problems = data.check("us_troops", bad)
    assert df is None
    assert problems and str(bad) in problems[0]
    assert any(expected in p for p in problems), problems
    assert bad.read_bytes() == before


def test_empty_file_header_only_and_wrong_delimiter_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text(TROOPS.read_text().splitlines()[0] + "\n")
    semi = write(tmp_path / "semi.csv", rows(TROOPS)[:3], delimiter=";")
    assert "empty" in data.check("us_troops", empty)[1][0]
    assert "no rows" in data.check("us_troops", header)[1][0]
    assert "not separated by commas" in data.check("us_troops", semi)[1][0]


def test_non_utf8_file_is_refused_and_a_bom_is_accepted(tmp_path):
    table = rows(TROOPS)[:3]
    latin = write(tmp_path / "latin.csv", [dict(r, host_country="Corée") for r in table], encoding="latin-1")
    bom = write(tmp_path / "bom.csv", table, encoding="utf-8-sig")
    assert "not UTF-8" in data.check("us_troops", latin)[1][0]
    assert data.check("us_troops", bom)[1] == []


def test_milestone_date_must_match_its_precision(tmp_path):
    table = rows(paths.DATA / "alliance_milestones.csv")
    table[0]["date_precision"] = "month"  # date is a full day
    table[1]["year"] = str(int(table[1]["year"]) + 1)
    table[2]["date"] = table[2]["date"][:5] + "13-01"
    table[2]["date_precision"] = "day"
    bad = write(tmp_path / "m.csv", table)
    problems = data.check("alliance_milestones", bad)[1]
    assert any("line 2, column 'date'" in p and "'month'" in p for p in problems), problems
    assert any("line 3, column 'year'" in p for p in problems), problems
    assert any("line 4, column 'date'" in p for p in problems), problems


def test_overlapping_or_inverted_phases_are_refused(tmp_path):
    table = rows(paths.DATA / "alliance_phases.csv")
    table[1]["start_year"] = table[0]["end_year"]  # second phase starts in the first's last year
    table[2]["end_year"] = str(int(table[2]["start_year"]) - 1)
    problems = data.check("alliance_phases", write(tmp_path / "p.csv", table))[1]
    assert any("line 3, column 'start_year'" in p and "overlaps" in p for p in problems), problems
    assert any("line 4, column 'end_year'" in p for p in problems), problems


def test_load_raises_one_error_listing_the_problems(tmp_path):
    bad = _mutate(tmp_path, lambda t, c: [r.update(troops_active_duty="-1") for r in t])
    with pytest.raises(BookError) as info:
        data.load("us_troops", bad)
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_REPORTED + 1 and "more problems" in lines[-1]


def test_unknown_dataset_name_lists_the_known_ones():
    with pytest.raises(BookError, match="us_troops"):
        datapackage.resource("no_such_dataset")


def test_parameters_map_to_datasets():
    assert datapackage.resource_for_parameter("troops_csv") == "us_troops"
    assert datapackage.resource_for_parameter("start_year") is None
    descriptor = json.loads(paths.DATAPACKAGE.read_text())
    assert all("parameter" in r for r in descriptor["resources"])
