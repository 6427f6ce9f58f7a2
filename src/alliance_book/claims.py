"""Check the seed articles' numbers against the data: one computed verdict per claim.

A claim row (``data/seed_claims.csv``) names a dataset and column, a pandas query that selects
the rows to compare, a comparison and a tolerance. The verdict is "consistent", "differs" (with the
value the data hold) or "not checkable" (no dataset named, or no row matches in the data
given). Verdicts follow the data they are given, so a new survey file changes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from alliance_book.errors import BookError

CONSISTENT, DIFFERS, UNCHECKABLE = "consistent", "differs", "not checkable"


def _compare(check: str, data_value: float, claimed: float, tolerance: float) -> bool:
    if check in ("approx", "years_since", "present"):
        return abs(data_value - claimed) <= tolerance
    if check == "at_least":
        return data_value >= claimed - tolerance
    if check == "at_most":
        return data_value <= claimed + tolerance
    raise BookError(f"unknown check {check!r}")


def verdict(claim: pd.Series, datasets: dict[str, pd.DataFrame]) -> dict[str, object]:
    """The verdict on one claim, with the value the data hold and which rows were compared."""
    base = {"claim": claim["claim_id"], "claimed": float(claim["value"]), "unit": claim["unit"],
            "reference_year": None if pd.isna(claim["reference_year"]) else int(claim["reference_year"])}
    if pd.isna(claim["dataset"]) or claim["dataset"] not in datasets:
        why = (f"dataset {claim['dataset']} not loaded in this chapter" if pd.notna(claim["dataset"])
               else claim["note"] if pd.notna(claim["note"]) else "no dataset to check against")
        return base | {"verdict": UNCHECKABLE, "data_value": None, "rows": 0, "why": why}
    df = datasets[claim["dataset"]]
    try:
        rows = df.query(str(claim["filter"]), engine="python")
    except Exception as exc:  # a filter is user data: report it, do not crash the chapter
        raise BookError(f"seed claim {claim['claim_id']}: filter cannot be applied ({exc})") from exc
    if rows.empty and claim["check"] == "present":
        # The claim says such a row exists (a law in force, an event): its absence contradicts it.
        return base | {"verdict": DIFFERS, "data_value": None, "rows": 0,
                       "why": _sentence(claim["note"]) if pd.notna(claim["note"]) else "The data hold no such row."}
    if rows.empty:
        return base | {"verdict": UNCHECKABLE, "data_value": None, "rows": 0,
                       "why": f"No row of {df.attrs.get('title', claim['dataset'])} bears on it."}
    values = rows[claim["column"]].dropna().astype(float)
    if values.empty:
        return base | {"verdict": UNCHECKABLE, "data_value": None, "rows": len(rows),
                       "why": f"the matching rows have no {claim['column']}"}
    if claim["check"] == "years_since":
        if base["reference_year"] is None:
            raise BookError(f"seed claim {claim['claim_id']}: check years_since needs a reference_year")
        values = base["reference_year"] - values
    # With several rows, the claim must hold for the least favourable one.
    data_value = float(values.min() if claim["check"] == "at_least" else values.max() if claim["check"] == "at_most"
                       else values.iloc[(values - float(claim["value"])).abs().argmax()])
    ok = _compare(str(claim["check"]), data_value, float(claim["value"]), float(claim["tolerance"]))
    return base | {
        "verdict": CONSISTENT if ok else DIFFERS,
        "data_value": data_value,
        "rows": len(rows),
        "why": _rule(str(claim["check"]), float(claim["value"]), float(claim["tolerance"]), data_value, str(claim["unit"]))
               + ("" if pd.isna(claim["note"]) else " " + _sentence(claim["note"])),
    }


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def number(value: float, unit: str) -> str:
    """A claimed or found value as a reader writes it: years plain, other numbers with separators."""
    return f"{value:g}" if unit in ("year", "years") else f"{value:,g}"


def _rule(check: str, claimed: float, tolerance: float, data_value: float, unit: str) -> str:
    """The rule and the data's value, as a sentence."""
    n = lambda v: number(v, unit)  # noqa: E731
    within = f"a value within {n(tolerance)} of {n(claimed)}" if tolerance else f"exactly {n(claimed)}"
    rule = {"approx": f"holds if the data show {within}",
            "present": f"holds if the data hold such a row, with {within}",
            "years_since": f"holds if the years elapsed are {within.replace('a value ', '')}",
            "at_least": f"holds if no value in the data is below {n(claimed - tolerance)}",
            "at_most": f"holds if no value in the data is above {n(claimed + tolerance)}"}[check]
    return f"The claim {rule}; the data show {n(data_value)}."


def verdicts(claims: pd.DataFrame, datasets: dict[str, pd.DataFrame], ids: list[str] | None = None) -> pd.DataFrame:
    """Verdicts for the claims (all, or those in ``ids``), one row each."""
    chosen = claims if ids is None else claims[claims["claim_id"].isin(ids)]
    missing = sorted(set(ids or []) - set(claims["claim_id"]))
    if missing:
        raise BookError(f"parameter claim_ids: unknown claims {', '.join(missing)}")
    rows = [verdict(row, datasets) | {"fragment_th": row["fragment_th"], "paraphrase_en": row["paraphrase_en"],
                                      "article": row["article"]}
            for _, row in chosen.iterrows()]
    return pd.DataFrame(rows)


def counts(checked: pd.DataFrame) -> dict[str, int]:
    """How many claims got each verdict."""
    v = checked["verdict"] if not checked.empty else pd.Series(dtype=str)
    return {
        "n_claims": len(checked),
        "n_consistent": int((v == CONSISTENT).sum()),
        "n_differs": int((v == DIFFERS).sum()),
        "n_uncheckable": int((v == UNCHECKABLE).sum()),
    }


LABELS = {CONSISTENT: "Consistent", DIFFERS: "Differs", UNCHECKABLE: "Not checkable"}
BADGES = {"Consistent": "verdict-consistent", "Differs": "verdict-differs", "Not checkable": "verdict-uncheckable"}


def table(checked: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as readers see them: the article's words, ours, the values, the verdict and why."""
    return pd.DataFrame({
        "The article (Thai)": checked["fragment_th"],
        "The claim, in our words": checked["paraphrase_en"],
        "Claimed": [number(v, u) for v, u in zip(checked["claimed"], checked["unit"], strict=True)],
        "In the data": ["\u2014" if v is None or pd.isna(v) else number(v, u)
                        for v, u in zip(checked["data_value"], checked["unit"], strict=True)],
        "Verdict": checked["verdict"].map(LABELS),
        "Why": checked["why"],
    })


def value(checked: pd.DataFrame, claim_id: str, column: str = "claimed") -> float | None:
    """One number of one checked claim (the claimed value by default); None if the claim was not checked here."""
    rows = checked[checked["claim"] == claim_id]
    if rows.empty or rows.iloc[0][column] is None or pd.isna(rows.iloc[0][column]):
        return None
    return float(rows.iloc[0][column])


def tolerance(ledger: pd.DataFrame, claim_id: str) -> float:
    """The tolerance the ledger gives a claim (0 if it names none)."""
    rows = ledger[ledger["claim_id"] == claim_id]
    return 0.0 if rows.empty or pd.isna(rows.iloc[0]["tolerance"]) else float(rows.iloc[0]["tolerance"])


def year_of(checked: pd.DataFrame, claim_id: str) -> int | None:
    """The year a checked claim refers to, if it names one."""
    rows = checked[checked["claim"] == claim_id]
    return None if rows.empty or rows.iloc[0]["reference_year"] is None else int(rows.iloc[0]["reference_year"])


def claim_values(checked: pd.DataFrame) -> dict[str, float]:
    """``claim_<id>`` (claimed) and ``data_<id>`` (value in the data, NaN if none) for glue, ids with underscores."""
    out: dict[str, float] = {}
    for row in checked.itertuples():
        key = str(row.claim).replace("-", "_")
        out[f"claim_{key}"] = float(row.claimed)
        out[f"data_{key}"] = float("nan") if row.data_value is None or pd.isna(row.data_value) else float(row.data_value)
    return out


def glued(checked: pd.DataFrame) -> dict[str, Any]:
    """What a chapter glues of its checked claims: the counts, each claim's numbers, the table."""
    from alliance_book import report

    return counts(checked) | claim_values(checked) | {"claims_table": report.Table(table(checked), BADGES)}


def missing_fragments(claims_df: pd.DataFrame, article: str, text: str) -> list[str]:
    """Claim ids of ``article`` whose Thai fragment does not occur exactly in ``text``."""
    rows = claims_df[claims_df["article"] == article]
    return [r.claim_id for r in rows.itertuples() if r.fragment_th not in text]


def check_fragments(article: str, text_file: Path) -> int:
    """Check that every claim of ``article`` quotes a fragment found in ``text_file``; return how many."""
    from alliance_book import data

    if not Path(text_file).is_file():
        raise BookError(f"{text_file}: file not found")
    ledger = data.load("seed_claims")
    if article not in set(ledger["article"]):
        raise BookError(f"no claims for article {article!r} in {ledger.attrs['file']}")
    missing = missing_fragments(ledger, article, Path(text_file).read_text(encoding="utf-8"))
    if missing:
        raise BookError(f"{ledger.attrs['file']}: fragments not found in {text_file}: {', '.join(missing)}")
    return int((ledger["article"] == article).sum())
