"""The claims ledger chapter and the change report between builds."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from alliance_book import changes, claims, data, paths
from alliance_book.errors import BookError

from conftest import cli, run_chapter

NB = paths.NOTEBOOKS / "05_checking_sources.ipynb"


def run(out: Path, **overrides) -> dict:
    return run_chapter("05_checking_sources", out, **overrides)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("ledger"))


def test_every_claim_has_a_fragment_with_a_number_and_a_rule():
    ledger = data.load("seed_claims")
    assert ledger["claim_id"].is_unique
    # A number in digits, or in words: decades, weeks, tens of thousands, a first, the oldest.
    digits_or_words = ledger["fragment_th"].str.contains(r"\d|ทศวรรษ|สัปดาห์|หมื่น|แรก|ที่สุด", regex=True)
    assert digits_or_words.all(), ledger[~digits_or_words]["claim_id"].tolist()
    checkable = ledger["dataset"].notna()
    assert ledger[checkable][["column", "filter", "check", "tolerance"]].notna().all().all()
    assert ledger[~checkable]["note"].notna().all()  # an uncheckable claim says why


def test_summary_counts_are_glued_and_add_up(default_run):
    g = default_run
    n = len(data.load("seed_claims"))
    assert g["n_claims"] == n and g["n_consistent"] + g["n_differs"] + g["n_uncheckable"] == n


def test_verdicts_change_when_the_data_change(default_run, tmp_path):
    """The DAC's 2023 figure raised to the article's: the 'aid given' reading turns consistent."""
    with (paths.DATA / "rok_oda.csv").open(newline="") as fh:
        table = list(csv.DictReader(fh))
    claimed = next(r for r in csv.DictReader((paths.DATA / "seed_claims.csv").open(encoding="utf-8"))
                   if r["claim_id"] == "park-oda-2023-usd")["value"]
    for row in table:
        if row["year"] == "2023" and row["basis"] != "budget":
            row["oda_usd_billion"] = claimed
    fixture = tmp_path / "oda.csv"
    with fixture.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(table[0]))
        w.writeheader()
        w.writerows(table)
    g = run(tmp_path, datasets={"rok_oda": str(fixture)})
    assert g["data_park_oda_2023_usd"] == float(claimed)
    assert g["n_differs"] == default_run["n_differs"] - 1
    assert g["n_consistent"] == default_run["n_consistent"] + 1


def test_check_fragments_command(project, tmp_path):
    ledger = data.load("seed_claims")
    article = tmp_path / "article.txt"
    article.write_text(" ".join(ledger[ledger["article"] == "forum2022"]["fragment_th"]), encoding="utf-8")
    assert cli(project, "check-fragments", "forum2022", str(article)).returncode == 0
    article.write_text("ข้อความที่ไม่มีตัวเลข", encoding="utf-8")
    result = cli(project, "check-fragments", "forum2022", str(article))
    assert result.returncode != 0 and "forum-rok-2005" in result.stderr


def test_missing_fragments_are_named():
    ledger = data.load("seed_claims")
    assert claims.missing_fragments(ledger, "forum2022", "") == list(ledger[ledger["article"] == "forum2022"]["claim_id"])


def _manifest(values: dict, figures: dict, inputs: dict) -> dict:
    labels = {"k": "the value of k", "fig": "a figure"}
    return {"chapters": {"01_x": {"inputs": inputs, "values": values, "figures": figures, "labels": labels}}}


def test_compare_reports_values_figures_and_reasons():
    inputs = {"notebook": "n", "parameters": {"a": 1}, "data": {"data/x.csv": "1"}, "code": "c", "environment": "e"}
    old = _manifest({"k": "1", "same": "s"}, {"fig": "h1", "fig2": "h"}, inputs)
    new = _manifest({"k": "2", "same": "s"}, {"fig": "h2", "fig2": "h"},
                    inputs | {"parameters": {"a": 2}, "data": {"data/x.csv": "2"}})
    report = changes.compare(old, new)["01_x"]
    assert report["values"] == {"k": ("1", "2")} and report["figures"] == ["fig"]
    assert report["reasons"] == ["parameters changed: a", "data changed: data/x.csv"]
    assert changes.compare(old, old) == {}
    md = changes.markdown(changes.compare(old, new), executed=["01_x", "02_y"])
    assert "| the value of k | `1` | `2` |" in md and "\u201ca figure\u201d" in md
    assert "Also executed, with the same inputs and results: 02_y." in md


def test_diff_of_a_missing_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(BookError, match="no build manifest"):
        changes.read(tmp_path)
