"""The phases chapter, executed with small parameters: its glued values equal what the data say."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from alliance_book import execute, params, paths
from alliance_book.errors import BookError

from conftest import svg_size, values

NB = paths.NOTEBOOKS / "01_alliance_phases.ipynb"


def read(name: str) -> list[dict[str, str]]:
    with (paths.DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(tmp_path: Path, **overrides) -> tuple[Path, dict]:
    defaults = params.read_yaml(paths.DEFAULT_PARAMS)["01_alliance_phases"]
    out = execute.execute(params.Run(NB, {**defaults, **overrides}), out_dir=tmp_path, failed_dir=tmp_path / "failed")
    return out, values(out)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The chapter for 1970-1990 with two key events, run once for the tests below."""
    return run(tmp_path_factory.mktemp("small"), start_year=1970, end_year=1990, key_events=["1975", "1978-11-07"])


def test_glued_counts_equal_the_data_for_the_years_chosen(small):
    _, g = small
    counts = {int(r["year"]): int(r["troops_active_duty"]) for r in read("us_troops.csv")
              if r["host_country"] == "South Korea" and 1970 <= int(r["year"]) <= 1990}
    peak_year = max(counts, key=counts.get)
    assert (g["peak_count"], g["peak_year"]) == (counts[peak_year], peak_year)
    assert (g["latest_count"], g["latest_year"]) == (counts[1990], 1990)
    assert g["n_count_years"] == len(counts)
    assert g["first_event_count"] == counts[1975] and g["last_event_count"] == counts[1978]
    assert g["event_change_pct"] == round(100 * (counts[1978] - counts[1975]) / counts[1975], 1)
    assert (g["start_year"], g["end_year"], g["host_country"]) == (1970, 1990, "South Korea")


def test_glued_floor_is_the_latest_statutory_floor_in_the_data(small):
    _, g = small
    floors = [r for r in read("troop_floors.csv") if r["kind"] == "statutory_funding_floor"]
    latest = max(floors, key=lambda r: int(r["year"]))
    assert g["floor_level"] == int(latest["level"]) and g["floor_law"] == latest["law"]
    assert g["floor_gap"] == abs(int(latest["level"]) - g["latest_count"])


def test_only_phases_overlapping_the_years_are_counted(small):
    _, g = small
    phases = [r for r in read("alliance_phases.csv")
              if int(r["start_year"]) <= 1990 and (not r["end_year"] or int(r["end_year"]) >= 1970)]
    assert g["n_phases"] == len(phases)
    assert all(r["phase"] in g["phase_table"]["text/html"] for r in phases)


def test_figures_are_glued_as_svg_images_with_no_date(small):
    _, g = small
    for key in ("fig_troops", "fig_timeline"):
        svg = "".join(g[key]["image/svg+xml"])
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and len(svg) > 10_000
        assert "<dc:date>" not in svg
        width, height = svg_size(g[key])
        assert width > 400 and height > 100


def test_executed_chapter_has_no_errors_and_no_run_specific_metadata(small):
    out, _ = small
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].id == "injected-parameters"
    assert "start_time" not in nb.metadata["papermill"] and "duration" not in nb.metadata["papermill"]
    assert all("execution" not in c.metadata for c in nb.cells)


def test_another_host_country_needs_no_code_change(tmp_path):
    """A clearly synthetic country: titles, prose and numbers follow the data."""
    country = "Testland (synthetic)"
    troops = tmp_path / "troops.csv"
    with troops.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["host_country", "iso3c", "year", "troops_active_duty", "series", "report_month", "source", "source_url", "note"])
        for year, n in [(2000, 100), (2001, 400), (2003, 250)]:
            w.writerow([country, "TST", year, n, "dmdc_report", "September", "synthetic test fixture", "https://example.org/fixture", ""])
    def copy(name: str, rows: list[list[str]]) -> Path:
        path = tmp_path / name
        header = (paths.DATA / name).read_text().splitlines()[0]
        with path.open("w", newline="") as fh:
            fh.write(header + "\n")
            csv.writer(fh).writerows(rows)
        return path
    milestones = copy("alliance_milestones.csv", [[country, "2001-05-01", "day", "2001", "treaty", "Synthetic treaty", "fixture", "https://example.org/f", ""]])
    phases_csv = copy("alliance_phases.csv", [[country, "Only phase", "2000", "", "none", "synthetic", "fixture", "https://example.org/f"]])
    # No statutory floor for this country: only a stated level.
    floors = copy("troop_floors.csv", [[country, "2003", "300", "stated_in_seed", "a statement", "fixture", "https://example.org/f", "low", ""]])
    _, g = run(tmp_path, troops_csv=str(troops), milestones_csv=str(milestones), phases_csv=str(phases_csv),
               floors_csv=str(floors), host_country=country, start_year=2000, end_year=2003,
               troop_series=["dmdc_report"], key_events=["2001-05-01"])
    assert g["host_country"] == country
    assert (g["peak_count"], g["peak_year"], g["latest_count"], g["latest_year"]) == (400, 2001, 250, 2003)
    assert g["gap_years"] == "2002" and g["n_gap_years"] == 1
    assert g["has_floor"] is False and country in g["floor_sentence"]
    assert country in g["cost_sentence"]  # no cost-sharing rows for this country: said, not an error


def test_a_host_country_missing_from_the_data_fails_naming_the_parameter(tmp_path):
    defaults = params.read_yaml(paths.DEFAULT_PARAMS)["01_alliance_phases"]
    with pytest.raises(BookError) as info:
        execute.execute(params.Run(NB, {**defaults, "host_country": "Atlantis"}), out_dir=tmp_path,
                        failed_dir=tmp_path / "failed")
    message = str(info.value)
    assert "01_alliance_phases" in message and "host_country" in message and "Atlantis" in message
    assert not (tmp_path / NB.name).exists() and (tmp_path / "failed" / NB.name).is_file()


def test_a_host_country_with_only_its_troop_series_builds_the_chapter(tmp_path):
    """No milestones, phases, acts or cost-sharing rows: said in sentences, not an error."""
    country = "Testland (synthetic)"
    troops = tmp_path / "troops.csv"
    header = (paths.DATA / "us_troops.csv").read_text().splitlines()[0]
    counts = {2000: 120, 2001: 180, 2003: 90}
    troops.write_text(header + "\n" + "".join(
        f"{country},TST,{y},{c},dmdc_report,September,fixture,https://example.org/f,\n" for y, c in counts.items()))
    _, g = run(tmp_path, troops_csv=str(troops), host_country=country, start_year=0, end_year=0)
    assert (g["peak_count"], g["peak_year"]) == (max(counts.values()), max(counts, key=counts.get))
    assert (g["latest_count"], g["latest_year"]) == (counts[max(counts)], max(counts))
    assert (g["start_year"], g["end_year"]) == (min(counts), max(counts))  # the window follows the data
    assert "no milestones or phases" in g["coverage_sentence"]
