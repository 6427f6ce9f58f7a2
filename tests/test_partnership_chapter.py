"""The global-partnership chapter: glued numbers equal the data; deployments and ODA follow their files."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from alliance_book import data, params, paths

from conftest import read_rows, run_chapter, write_rows

NB = paths.NOTEBOOKS / "03_global_partnership.ipynb"


def rows(name: str) -> list[dict[str, str]]:
    return read_rows(paths.DATA / name)


write = write_rows


def run(out: Path, **overrides) -> dict:
    return run_chapter("03_global_partnership", out, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("partnership"))


def test_unc_numbers_equal_the_data(default_run):
    g = default_run
    unc = {r["measure"]: float(r["value"]) for r in rows("unc_facts.csv")}
    assert g["n_combat_states"] == unc["un_member_states_sending_combat_troops"]
    assert g["n_medical_states"] == unc["un_member_states_sending_medical_units"]
    assert (g["share_rok"], g["share_us"], g["share_other"]) == (
        unc["unc_ground_troops_share_rok"], unc["unc_ground_troops_share_us"], unc["unc_ground_troops_share_other_members"])
    us, other = unc["unc_ground_troops_share_us"], unc["unc_ground_troops_share_other_members"]
    assert g["share_us_of_foreign"] == round(100 * us / (us + other), 1)


def test_deployment_and_oda_numbers_equal_the_data(default_run):
    g = default_run
    dep = rows("rok_deployments.csv")
    assert g["n_deployments"] == len(dep)
    assert g["n_un_pko"] == sum(r["framework"] == "un_peacekeeping" for r in dep)
    sized = [r for r in dep if r["personnel"]]
    largest = max(sized, key=lambda r: int(r["personnel"]))
    assert (g["largest_unit"], g["largest_personnel"]) == (largest["unit"], int(largest["personnel"]))
    oda = [r for r in rows("rok_oda.csv") if r["oda_usd_billion"] and r["basis"] != "budget"]
    last = max(oda, key=lambda r: (int(r["year"]), r["status"]))
    same = [r for r in oda if r["basis"] == last["basis"]]  # growth only within one way of measuring
    base = min(same, key=lambda r: (int(r["year"]), r["status"]))
    assert (g["oda_latest_year"], g["oda_latest"]) == (int(last["year"]), float(last["oda_usd_billion"]))
    assert g["oda_growth_pct"] == round(100 * (float(last["oda_usd_billion"]) / float(base["oda_usd_billion"]) - 1), 1)


def test_seed_figures_get_computed_verdicts(default_run):
    g = default_run
    claimed = {r["claim_id"]: float(r["value"]) for r in rows("seed_claims.csv")}
    assert g["claim_park_unc_us_share"] == claimed["park-unc-us-share"]
    assert g["data_park_oda_2023_usd"] == min(float(r["oda_usd_billion"]) for r in rows("rok_oda.csv") if r["year"] == "2023")
    ids = params.read_yaml(paths.DEFAULT_PARAMS)["03_global_partnership"]["claim_ids"]
    chosen = [r for r in rows("seed_claims.csv") if r["claim_id"] in ids]
    held = {"unc_facts", "rok_deployments", "rok_oda", "hadr_recommendations"}
    uncheckable = sum(1 for r in chosen if r["dataset"] not in held)  # e.g. the baht figure: no baht series
    assert g["n_claims"] == len(chosen) and g["n_uncheckable"] >= uncheckable
    assert g["n_consistent"] + g["n_differs"] + g["n_uncheckable"] == len(chosen)


def test_hadr_steps_are_listed_in_order(default_run):
    listed = default_run["hadr_list"]["text/markdown"]
    steps = rows("hadr_recommendations.csv")
    positions = [listed.index(r["recommendation"]) for r in sorted(steps, key=lambda r: int(r["step"]))]
    assert positions == sorted(positions) and len(positions) == len(steps)


def test_new_deployment_and_currency_label_follow_the_parameters(tmp_path):
    dep = rows("rok_deployments.csv")
    dep.append(dict(dep[-1], unit="Synthetic Test Unit", location="Nowhere (test fixture)", start="2020-01", start_precision="month",
                    end="2021-01", end_precision="month", status_as_of="", personnel="9999", personnel_basis="initial_deployment",
                    source="SYNTHETIC TEST FIXTURE", source_url="https://example.org/fixture"))
    zaytun = next(r for r in dep if r["unit"] == "Zaytun Division")
    zaytun["personnel"] = "3000"
    g = run(tmp_path, deployments_csv=str(write(tmp_path / "dep.csv", dep)), currency_label="test units")
    assert g["n_deployments"] == len(dep) and g["largest_unit"] == "Synthetic Test Unit"
    assert "Synthetic Test Unit" in g["deployments_table"]["text/html"]
    assert g["currency_label"] == "test units"
    zaytun_claim = next(r for r in rows("seed_claims.csv") if r["claim_id"] == "park-zaytun-size")
    assert zaytun_claim["paraphrase_en"] in html.unescape(g["claims_table"]["text/html"]) and g["n_differs"] >= 2


@pytest.mark.parametrize("change, expected", [
    (lambda r: r.update(end="1990", end_precision="year"), "column 'end'"),
    (lambda r: r.update(start="2004-09-31", start_precision="day"), "not a real calendar date"),
    (lambda r: r.update(start="2004", start_precision="month"), "does not match date precision 'month'"),
    (lambda r: r.update(end="", end_precision="", status_as_of=""), "column 'status_as_of'"),
    (lambda r: r.update(framework="alliance"), "column 'framework'"),
])
def test_bad_deployment_rows_are_refused(tmp_path, change, expected):
    dep = rows("rok_deployments.csv")
    change(dep[4])  # Zaytun Division, line 6
    problems = data.check("rok_deployments", write(tmp_path / "dep.csv", dep))[1]
    assert any("line 6" in p and expected in p for p in problems), problems
