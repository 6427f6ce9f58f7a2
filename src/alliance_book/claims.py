"""Check the seed articles' numbers against the data: one computed verdict per claim.

A claim row (``data/seed_claims.csv``) names a dataset and column, a pandas query that selects
the rows to compare, a comparison and a tolerance. The verdict is "consistent", "differs" (with the
value the data hold) or "not checkable" (no dataset named, or no row matches in the data
given). Verdicts follow the data they are given, so a new survey file changes them.

The table of verdicts is written in the current language (``i18n``): the reasons, the verdict
words and the headers. The articles' Thai fragments are shown as they are; our rendering of each
claim (``paraphrase_en``) is translated through the catalogs, and left out of the Thai book, whose
readers have the articles' own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_book import i18n
from alliance_book.errors import BookError
from alliance_book.i18n import _, pgettext

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
        reason = ([("not_loaded", {"dataset": claim["dataset"]})] if pd.notna(claim["dataset"])
                  else [("text", {"text": claim["note"]})] if pd.notna(claim["note"]) else [("no_dataset", {})])
        return base | _because(reason) | {"verdict": UNCHECKABLE, "data_value": None, "rows": 0}
    df = datasets[claim["dataset"]]
    try:
        rows = df.query(str(claim["filter"]), engine="python")
    except Exception as exc:  # a filter is user data: report it, do not crash the chapter
        raise BookError(f"seed claim {claim['claim_id']}: filter cannot be applied ({exc})") from exc
    if rows.empty and claim["check"] == "present":
        # The claim says such a row exists (a law in force, an event): its absence contradicts it.
        reason = [("text", {"text": _sentence(claim["note"])})] if pd.notna(claim["note"]) else [("no_such_row", {})]
        return base | _because(reason) | {"verdict": DIFFERS, "data_value": None, "rows": 0}
    if rows.empty:
        return base | _because([("no_row", {"title": df.attrs.get("title", claim["dataset"])})]) | {
            "verdict": UNCHECKABLE, "data_value": None, "rows": 0}
    values = rows[claim["column"]].dropna().astype(float)
    if values.empty:
        return base | _because([("no_column", {"column": claim["column"]})]) | {
            "verdict": UNCHECKABLE, "data_value": None, "rows": len(rows)}
    if claim["check"] == "years_since":
        if base["reference_year"] is None:
            raise BookError(f"seed claim {claim['claim_id']}: check years_since needs a reference_year")
        values = base["reference_year"] - values
    # With several rows, the claim must hold for the least favourable one.
    data_value = float(values.min() if claim["check"] == "at_least" else values.max() if claim["check"] == "at_most"
                       else values.iloc[(values - float(claim["value"])).abs().argmax()])
    ok = _compare(str(claim["check"]), data_value, float(claim["value"]), float(claim["tolerance"]))
    reason = [("rule", {"check": str(claim["check"]), "claimed": float(claim["value"]),
                        "tolerance": float(claim["tolerance"]), "data_value": data_value, "unit": str(claim["unit"])})]
    if pd.notna(claim["note"]):
        reason.append(("text", {"text": _sentence(claim["note"])}))
    return base | _because(reason) | {"verdict": CONSISTENT if ok else DIFFERS, "data_value": data_value, "rows": len(rows)}


def _because(reason: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A verdict's reason: its parts (``reason``, written again in each language by ``why``) and,
    as ``why``, the sentence they make in the current language."""
    return {"why": _why_text(reason), "reason": reason}


def _why_text(reason: list[tuple[str, dict[str, Any]]]) -> str:
    """The parts of a reason as a sentence in the current language; notes from the ledger stay as written."""
    parts = []
    for kind, args in reason:
        if kind == "rule":
            parts.append(_rule(**args))
        elif kind == "text":
            parts.append(str(args["text"]))
        elif kind == "not_loaded":
            parts.append(_("dataset {dataset} not loaded in this chapter").format(**args))
        elif kind == "no_dataset":
            parts.append(_("no dataset to check against"))
        elif kind == "no_such_row":
            parts.append(_("The data hold no such row."))
        elif kind == "no_row":
            # TRANSLATORS: {title} is a dataset's title.
            parts.append(_("No row of {title} bears on it.").format(**args))
        elif kind == "no_column":
            # TRANSLATORS: {column} is the name of a data column (e.g. percent).
            parts.append(_("the matching rows have no {column}").format(**args))
    return " ".join(parts)


def why(row: Any) -> str:
    """A checked claim's reason in the current language (``row`` a row of ``verdicts``)."""
    reason = getattr(row, "reason", None) if not isinstance(row, Mapping) else row.get("reason")
    if isinstance(reason, list):
        return _why_text(reason)
    return str(getattr(row, "why", None) if not isinstance(row, Mapping) else row.get("why"))


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def number(value: float, unit: str) -> str:
    """A claimed or found value as a reader writes it: a calendar year as the reader's locale writes it
    (``i18n.year``: a Buddhist Era year in Thai), a number of years plain, other numbers with separators."""
    if unit == "year" and float(value).is_integer():
        return i18n.year(int(value))
    return f"{value:g}" if unit in ("year", "years") else f"{value:,g}"


def _rule(check: str, claimed: float, tolerance: float, data_value: float, unit: str) -> str:
    """The rule and the data's value, as a sentence."""
    n = lambda v: number(v, unit)  # noqa: E731
    # A tolerance is a difference: for years, a number of years, not a year.
    fields = {"claimed": n(claimed), "tolerance": number(tolerance, "years" if unit == "year" else unit), "found": n(data_value),
              "low": n(claimed - tolerance), "high": n(claimed + tolerance)}
    if check == "approx":
        # TRANSLATORS: {claimed} is the article's number, {tolerance} how far from it the data may be, {found} the data's value.
        text = (_("The claim holds if the data show a value within {tolerance} of {claimed}; the data show {found}.")
                if tolerance else _("The claim holds if the data show exactly {claimed}; the data show {found}."))
    elif check == "present":
        text = (_("The claim holds if the data hold such a row, with a value within {tolerance} of {claimed}; "
                  "the data show {found}.") if tolerance else
                _("The claim holds if the data hold such a row, with exactly {claimed}; the data show {found}."))
    elif check == "years_since":
        # TRANSLATORS: {claimed} is a number of years since an event; {found} the years the data give.
        text = (_("The claim holds if the years elapsed are within {tolerance} of {claimed}; the data show {found}.")
                if tolerance else _("The claim holds if the years elapsed are exactly {claimed}; the data show {found}."))
    elif check == "at_least":
        text = _("The claim holds if no value in the data is below {low}; the data show {found}.")
    elif check == "at_most":
        text = _("The claim holds if no value in the data is above {high}; the data show {found}.")
    else:
        raise KeyError(check)
    return text.format(**fields)


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


def label(verdict: str) -> str:
    """A verdict as readers see it, in the current language."""
    words = {CONSISTENT: pgettext("verdict", "Consistent"), DIFFERS: pgettext("verdict", "Differs"),
             # TRANSLATORS: a verdict: no data we hold bear on the claim.
             UNCHECKABLE: pgettext("verdict", "Not checkable")}
    return words[verdict]


class _Labels(Mapping[str, str]):
    """Verdict -> its word in the language of the moment it is read (``label``)."""

    def __getitem__(self, verdict: str) -> str:
        return label(verdict)

    def __iter__(self) -> Iterator[str]:
        return iter((CONSISTENT, DIFFERS, UNCHECKABLE))

    def __len__(self) -> int:
        return 3


_CSS = {CONSISTENT: "verdict-consistent", DIFFERS: "verdict-differs", UNCHECKABLE: "verdict-uncheckable"}


class _Badges(Mapping[str, str]):
    """A verdict's word, in each of the book's languages, -> its badge's CSS class (``report.Table``
    draws a table's HTML after the languages have been written, so it holds every language's words)."""

    def _all(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for lang in i18n.languages():
            with i18n.language(lang):
                out |= {label(v): css for v, css in _CSS.items()}
        return out

    def __getitem__(self, word: str) -> str:
        return self._all()[word]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


LABELS: Mapping[str, str] = _Labels()
BADGES: Mapping[str, str] = _Badges()


def rendering(paraphrase: str) -> str:
    """Our rendering of a claim (``paraphrase_en``) in the current language, through the catalogs."""
    return i18n.name("paraphrase_en", paraphrase)


def table(checked: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as readers see them: the article's words, ours, the values, the verdict and why.

    In Thai, the articles' own language, the fragments stand without our rendering."""
    columns = {_("The article (Thai)"): checked["fragment_th"]}
    if i18n.current() != "th":
        columns[_("The claim, in our words")] = checked["paraphrase_en"].map(rendering)
    return pd.DataFrame(columns | {
        # TRANSLATORS: a table column: the value the article gives.
        _("Claimed"): [number(v, u) for v, u in zip(checked["claimed"], checked["unit"], strict=True)],
        # TRANSLATORS: a table column: the value our data hold.
        _("In the data"): ["\u2014" if v is None or pd.isna(v) else number(v, u)
                           for v, u in zip(checked["data_value"], checked["unit"], strict=True)],
        _("Verdict"): checked["verdict"].map(label),
        _("Why"): [why(r) for r in checked.to_dict("records")],
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
    """What a chapter glues of its checked claims: the counts, each claim's numbers, the table (in the
    current language: glue it with ``report.glue_all(lambda: claims.glued(checked))``)."""
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
