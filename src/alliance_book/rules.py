"""Rules a Table Schema cannot express, per dataset: dates that match their precision, phases that
do not overlap, survey shares that do not sum past 100%, claims that name real columns.

Each rule takes the dataset's table and returns (line, column, message) problems; lines count the
header as line 1. ``RULES`` maps a dataset name to its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from alliance_book.datapackage import resource_names, schema

_PRECISION = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}", "decade": r"\d{3}0"}


def _date_problem(date: str, precision: str) -> str | None:
    """Why a date string does not match its stated precision or the calendar, or None."""
    if not re.fullmatch(_PRECISION[precision], date):
        return f"{date!r} does not match date precision {precision!r}"
    if precision in ("day", "month"):
        try:
            pd.Timestamp(date if precision == "day" else f"{date}-01")
        except ValueError:
            return f"{date!r} is not a real calendar date"
    return None


def _check_date_precision(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = []
    for i, row in df.iterrows():
        line = int(i) + 2
        why = _date_problem(row["date"], row["date_precision"])
        if why:
            problems.append((line, "date", why))
        elif int(row["date"][:4]) != row["year"]:
            problems.append((line, "year", f"{row['year']} differs from the year of date {row['date']!r}"))
    return problems


def _check_timeline(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = _check_date_precision(df)
    for i, row in df.iterrows():
        line = int(i) + 2
        summit = row["event_type"] == "summit_attendance"
        for col in ("summit", "attendance_level"):
            if summit and pd.isna(row[col]):
                problems.append((line, col, "a summit attendance needs the summit and the attendance level"))
            elif not summit and pd.notna(row[col]):
                problems.append((line, col, f"only summit attendance rows have a {col}"))
    return problems


def _check_deployments(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = []
    for i, row in df.iterrows():
        line = int(i) + 2
        why = _date_problem(row["start"], row["start_precision"])
        if why:
            problems.append((line, "start", why))
        if pd.isna(row["end"]) != pd.isna(row["end_precision"]):
            problems.append((line, "end_precision", "end and end_precision go together"))
        elif pd.notna(row["end"]):
            why = _date_problem(row["end"], row["end_precision"])
            if why:
                problems.append((line, "end", why))
            elif row["end"][:4] < row["start"][:4]:
                problems.append((line, "end", f"{row['end']} is before start {row['start']}"))
        elif pd.isna(row["status_as_of"]):
            problems.append((line, "status_as_of", "an ongoing deployment (no end) needs the date of its source"))
        if pd.isna(row["personnel"]) != pd.isna(row["personnel_basis"]):
            problems.append((line, "personnel_basis", "personnel and personnel_basis go together"))
    return problems


def _check_phases(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = []
    for i, row in df.iterrows():
        if pd.notna(row["end_year"]) and row["end_year"] < row["start_year"]:
            problems.append((int(i) + 2, "end_year", f"{row['end_year']} is before start_year {row['start_year']}"))
    for _country, group in df.groupby("host_country"):
        ordered = group.sort_values("start_year")
        previous = None
        for i, row in ordered.iterrows():
            if previous is not None:
                prev_end = previous["end_year"]
                if pd.isna(prev_end) or prev_end >= row["start_year"]:
                    problems.append(
                        (int(i) + 2, "start_year", f"phase {row['phase']!r} overlaps phase {previous['phase']!r}")
                    )
            previous = row
    return problems


SHARE_TOLERANCE = 1.0  # percentage points: rounded answer shares may sum to a little over 100


def _check_shares(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = []
    points = df[df["statistic"] == "point"]
    # One wave is one survey: two waves of a question in one year are summed apart.
    for (org, measure, year, _survey), group in points.groupby(["organisation", "measure", "year", "survey"]):
        total = float(group["percent"].sum())
        if total > 100 + SHARE_TOLERANCE:
            lines = ", ".join(str(int(i) + 2) for i in group.index)
            problems.append((int(group.index[-1]) + 2, "percent",
                             f"answers to {measure!r} ({org}, {year}) on lines {lines} sum to {total:g}%, over 100%"))
    for i, row in df.iterrows():
        bound = row["statistic"] != "point"
        if bound and (pd.isna(row["period_start"]) or pd.isna(row["period_end"])):
            problems.append((int(i) + 2, "period_start", "a bound needs period_start and period_end"))
        elif bound and row["period_start"] > row["period_end"]:
            problems.append((int(i) + 2, "period_end", f"{row['period_end']} is before period_start {row['period_start']}"))
    return problems


def _check_claims(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    problems = []
    known = resource_names()
    for i, row in df.iterrows():
        if pd.isna(row["dataset"]):
            continue
        if row["dataset"] not in known:
            problems.append((int(i) + 2, "dataset", f"{row['dataset']!r} is not a dataset; datasets: {', '.join(known)}"))
        elif pd.notna(row["column"]) and row["column"] not in {f["name"] for f in schema(row["dataset"])["fields"]}:
            problems.append((int(i) + 2, "column", f"{row['column']!r} is not a column of {row['dataset']}"))
        for col in ("column", "filter", "check", "tolerance"):
            if pd.isna(row[col]):
                problems.append((int(i) + 2, col, "needed when dataset is given"))
    return problems


def _check_currency(df: pd.DataFrame) -> list[tuple[int, str, str]]:
    """Each year's amount is given in exactly one currency, as its source states it."""
    return [(int(i) + 2, "amount_krw_billion", "give the amount in one currency: dollars or won, as the source states it")
            for i, row in df.iterrows() if pd.isna(row["amount_usd_million"]) == pd.isna(row["amount_krw_billion"])]


RULES: dict[str, Callable[[pd.DataFrame], list[tuple[int, str, str]]]] = {
    "alliance_milestones": _check_date_precision,
    "alliance_phases": _check_phases,
    "rok_opinion": _check_shares,
    "us_opinion": _check_shares,
    "seed_claims": _check_claims,
    "rok_deployments": _check_deployments,
    "nato_ip4_timeline": _check_timeline,
    "cost_sharing": _check_currency,
}
