"""Verdicts on the seed articles' numbers are computed from the data by the rule in each claim row."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from alliance_book import claims, data, paths
from alliance_book.errors import BookError


def claim(**kw) -> pd.Series:
    base = dict(claim_id="c1", value=72.0, unit="percent", reference_year=None, dataset="d", column="percent",
                filter="year == 2022", check="approx", tolerance=0.5, fragment_th="ร้อยละ 72", paraphrase_en="x",
                note=float("nan"), article="park2024")
    return pd.Series(base | kw)


TABLE = pd.DataFrame({"year": [2021, 2022, 2022], "percent": [60.0, 72.0, 70.0]})


@pytest.mark.parametrize("kw, verdict, value", [
    (dict(filter="year == 2022 and percent > 71"), claims.CONSISTENT, 72.0),
    (dict(filter="year == 2021"), claims.DIFFERS, 60.0),
    (dict(check="at_least", value=70.0, tolerance=0.0), claims.CONSISTENT, 70.0),
    (dict(check="at_least", value=71.0, tolerance=0.0), claims.DIFFERS, 70.0),
    (dict(check="at_most", value=72.0, tolerance=0.0), claims.CONSISTENT, 72.0),
    (dict(filter="year == 1999"), claims.UNCHECKABLE, None),
    (dict(dataset=float("nan")), claims.UNCHECKABLE, None),
    (dict(check="present", filter="year == 2022 and percent > 71"), claims.CONSISTENT, 72.0),
    (dict(check="present", filter="year == 1999"), claims.DIFFERS, None),  # a row said to exist is missing
])
def test_verdict_follows_the_rule(kw, verdict, value):
    result = claims.verdict(claim(**kw), {"d": TABLE})
    assert result["verdict"] == verdict and result["data_value"] == value


def test_approx_with_several_rows_must_hold_for_each():
    assert claims.verdict(claim(), {"d": TABLE})["verdict"] == claims.DIFFERS  # 70 is 2 points off


def test_bad_filter_names_the_claim():
    with pytest.raises(BookError, match="seed claim c1: filter"):
        claims.verdict(claim(filter="year ==="), {"d": TABLE})


def test_counts_and_glue_values():
    checked = pd.DataFrame([claims.verdict(claim(claim_id="a-b"), {"d": TABLE}) | {"fragment_th": "", "paraphrase_en": ""}])
    assert claims.counts(checked) == {"n_claims": 1, "n_consistent": 0, "n_differs": 1, "n_uncheckable": 0}
    assert claims.claim_values(checked) == {"claim_a_b": 72.0, "data_a_b": 70.0}


def test_unknown_claim_id_is_refused():
    with pytest.raises(BookError, match="unknown claims nope"):
        claims.verdicts(data.load("seed_claims"), {}, ["nope"])


def test_claim_naming_a_missing_column_or_dataset_is_refused(tmp_path):
    with (paths.DATA / "seed_claims.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["column"] = "no_such_column"
    rows[1]["dataset"] = "no_such_dataset"
    bad = tmp_path / "claims.csv"
    with bad.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    problems = data.check("seed_claims", bad)[1]
    assert any("line 2, column 'column'" in p for p in problems), problems
    assert any("line 3, column 'dataset'" in p for p in problems), problems


def test_law_claim_follows_the_act_in_force_in_the_article_s_year():
    """The '28,500 in US law' verdict is consistent exactly when the act for that fiscal year is binding."""
    ledger = data.load("seed_claims")
    row = ledger[ledger["claim_id"] == "park-floor-28500-law"].iloc[0]
    floors = data.load("troop_floors")
    in_force = floors[(floors["year"] == row["reference_year"]) & (floors["kind"] != "stated_in_seed")]
    binding = bool((in_force["kind"] == "statutory_funding_floor").any())
    result = claims.verdict(row, {"troop_floors": floors})
    assert result["verdict"] == (claims.CONSISTENT if binding else claims.DIFFERS)


def test_reasons_are_sentences_and_tables_show_no_claim_ids():
    checked = claims.verdicts(pd.DataFrame([dict(claim(), claim_id="c-1")]), {"d": TABLE})
    shown = claims.table(checked)
    assert "c-1" not in shown.to_string() and shown.iloc[0]["Why"].startswith("The claim holds if")
    assert set(shown["Verdict"]) <= set(claims.BADGES)
