"""Load datasets by name, validated against their schema in ``data/datapackage.json``.

Frictionless checks each CSV against its Table Schema (types, required fields, ranges,
enums, unique keys); a few checks a Table Schema cannot express (a date that matches its
stated precision, phases that do not overlap) are added here. Every problem is reported
with the file, the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_book import paths, store
from alliance_book.datapackage import (  # noqa: F401  (re-exported: notebooks call data.labels etc.)
    READ_LOG,
    _record_read,
    default_path,
    is_validated,
    labels,
    package,
    resource,
    resource_for_parameter,
    resource_names,
    schema,
    validation_key,
)
from alliance_book.errors import MAX_REPORTED, BookError, summarise  # noqa: F401  (MAX_REPORTED re-exported)

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _describe(error: Any, file: str, key_names: list[str]) -> str:
    """One frictionless error as a sentence naming file, line and column."""
    where = [file]
    row = getattr(error, "row_number", None)
    if row:
        where.append(f"line {row}")
    field = getattr(error, "field_name", None)
    if field:
        where.append(f"column {field!r}")
    cell = getattr(error, "cell", None)
    detail = error.title.lower()
    note = error.note
    if error.type == "type-error":
        wanted = re.search(r'"(\w+)', note)
        detail = f"value {cell!r} is not of type {wanted.group(1) if wanted else note}"
        note = ""
    elif error.type == "constraint-error":
        rule = re.search(r'constraint "(\w+)" is "(.*)"', note)
        detail = f"value {cell!r} breaks the rule " + (f"{rule.group(1)} {rule.group(2)}" if rule else note)
        note = ""
    elif error.type in ("missing-label", "missing-cell") and not cell:
        detail = "is missing" if error.type == "missing-label" else "has no value"
        note = ""
    elif error.type == "extra-label":
        detail = f"unexpected column {error.label!r}"
        note = ""
    elif error.type == "primary-key":
        key = ", ".join(key_names)
        detail = "duplicate key" + (f" ({key})" if key else "")
        first = re.search(r"row at position (\d+)", note)
        note = f"same as line {first.group(1)}" if first else note
    text = f"{', '.join(where)}: {detail}"
    return f"{text} ({note})" if note else text


def _header_problems(path: Path, table_schema: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Compare the header with the schema by name; return problems and the schema in file order."""
    file = paths.display(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError as exc:
        return [f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8"], table_schema
    fields = {f["name"]: f for f in table_schema["fields"]}
    problems = []
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        return [f"{file}, line 1: the columns are not separated by commas; save the file as comma-separated CSV"], table_schema
    for name in fields:
        if name not in header:
            problems.append(f"{file}, line 1: missing column {name!r}")
    for name in header:
        if name not in fields:
            problems.append(f"{file}, line 1: unexpected column {name!r} (expected: {', '.join(fields)})")
    if len(set(header)) != len(header):
        problems.append(f"{file}, line 1: a column name appears twice")
    if problems:
        return problems, table_schema
    return [], {**table_schema, "fields": [fields[name] for name in header]}


def _frictionless_errors(path: Path, table_schema: dict[str, Any]) -> list[str]:
    from frictionless import Dialect, Resource, Schema, formats

    file = paths.display(path)
    # A fixed dialect: a semicolon- or tab-separated file is an error, not something to sniff.
    dialect = Dialect(controls=[formats.CsvControl(delimiter=",")])
    res = Resource(
        path=path.name,
        basepath=str(path.parent),
        # Foreign keys need the other files; they are checked by _foreign_key_problems instead.
        schema=Schema.from_descriptor({k: v for k, v in table_schema.items() if k != "foreignKeys"}),
        format="csv",
        encoding="utf-8",
        dialect=dialect,
    )
    report = res.validate()
    messages = []
    for task in report.tasks:
        for error in task.errors:
            messages.append(_describe(error, file, table_schema.get("primaryKey", [])))
    for error in report.errors:
        messages.append(f"{file}: {error.message}")
    return messages


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
    for (org, measure, year), group in points.groupby(["organisation", "measure", "year"]):
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


EXTRA_CHECKS: dict[str, Callable[[pd.DataFrame], list[tuple[int, str, str]]]] = {
    "alliance_milestones": _check_date_precision,
    "alliance_phases": _check_phases,
    "rok_opinion": _check_shares,
    "us_opinion": _check_shares,
    "seed_claims": _check_claims,
    "rok_deployments": _check_deployments,
    "nato_ip4_timeline": _check_timeline,
}


def _foreign_key_problems(name: str, df: pd.DataFrame, related: dict[str, Path]) -> list[str]:
    """Values that must exist in another dataset (the schema's foreignKeys), checked against its file."""
    problems = []
    for fk in schema(name).get("foreignKeys", []):
        column, target = fk["fields"], fk["reference"]["resource"]
        target_file = related.get(target, default_path(target))
        target_df, target_problems = check(target, target_file)
        if target_problems or target_df is None:
            return [f"{paths.display(target_file)} (needed to check {df.attrs.get('file', name)}): " + p
                    for p in target_problems]
        allowed = set(target_df[fk["reference"]["fields"]])
        for i, value in df[column].items():
            if pd.notna(value) and value not in allowed:
                problems.append(
                    f"{df.attrs.get('file', name)}, line {int(i) + 2}, column {column!r}: {value!r} is not in "
                    f"{paths.display(target_file)} ({', '.join(sorted(allowed))})"
                )
    return problems


def _read(path: Path, table_schema: dict[str, Any]) -> pd.DataFrame:
    dtypes = {f["name"]: _PANDAS_TYPES.get(f["type"], "string") for f in table_schema["fields"]}
    return pd.read_csv(path, dtype=dtypes, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def check(
    name: str, path: str | os.PathLike[str] | None = None, related: dict[str, Path] | None = None
) -> tuple[pd.DataFrame | None, list[str]]:
    """Validate a dataset's file; return the table (None if unreadable) and the problems found.

    ``related`` names the files of other datasets this one refers to (foreign keys), where they
    are not the default files in ``data/``.
    """
    meta = resource(name)
    file = Path(path) if path is not None else default_path(name)
    shown = paths.display(file)
    if not file.is_file():
        return None, [f"{shown}: file not found (dataset {name!r})"]
    _record_read(file)
    key = validation_key(name, file, related)
    if store.has("validated", key):
        # This exact file passed every check before (same schema, same validator, same referenced files).
        df = _read(file, schema(name))
        df.attrs.update(resource=name, file=shown, title=meta.get("title", name))
        return df, []
    if file.stat().st_size == 0:
        return None, [f"{shown}: the file is empty (dataset {name!r} needs a header and rows)"]
    problems, ordered = _header_problems(file, schema(name))
    if not problems:
        problems = _frictionless_errors(file, ordered)
    if problems:
        return None, problems
    df = _read(file, ordered)
    if df.empty:
        return None, [f"{shown}: the file has a header but no rows (dataset {name!r})"]
    df.attrs.update(resource=name, file=shown, title=meta.get("title", name))
    extra = EXTRA_CHECKS.get(name)
    if extra:
        problems = [f"{shown}, line {line}, column {col!r}: {msg}" for line, col, msg in extra(df)]
    problems += _foreign_key_problems(name, df, related or {})
    if not problems:
        store.put("validated", key)
    return (None if problems else df), problems


def load(
    name: str, path: str | os.PathLike[str] | None = None, related: dict[str, Path] | None = None
) -> pd.DataFrame:
    """Load a dataset by name, validated; ``path`` swaps in another file with the same schema."""
    df, problems = check(name, path, related)
    if problems:
        raise BookError(summarise(problems))
    assert df is not None
    return df


def validate_all(overrides: dict[str, Path] | None = None) -> list[str]:
    """Validate every dataset (with files swapped in by ``overrides``); return all problems."""
    overrides = overrides or {}
    problems: list[str] = []
    for name in resource_names():
        problems += check(name, overrides.get(name))[1]
    return problems


def source_line(df: pd.DataFrame, most: int = 2) -> str:
    """Who the numbers of a table come from, for a figure's source line.

    The rows' own sources when there are at most ``most``; otherwise the producers the data
    package lists for the dataset, with a pointer to the per-row sources.
    """
    if "source" in df.columns:
        distinct = list(dict.fromkeys(df["source"].dropna().astype(str)))
        if len(distinct) <= most:
            return "; ".join(distinct)
    meta = resource(df.attrs["resource"])
    producers = "; ".join(dict.fromkeys(s.get("producer", s.get("title", "")) for s in meta.get("sources", [])))
    return f"{producers}; each row's source is listed on the data-sources page"

