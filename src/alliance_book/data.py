"""Load datasets validated against their schema in ``data/datapackage.json``.

Frictionless checks each CSV against its Table Schema (types, required fields, ranges, enums,
unique keys); the rules in ``rules`` add what a schema cannot express, and foreign keys are
checked against the referenced files. Every problem names the file, the line (the header is
line 1) and the column.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_book import datapackage, paths, store
from alliance_book.datapackage import default_path, resource, resource_for_parameter, schema, validation_key
from alliance_book.errors import BookError, summarise
from alliance_book.rules import RULES

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
    datapackage.record_read(file)
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
    extra = RULES.get(name)
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
    for name in datapackage.resource_names():
        problems += check(name, overrides.get(name))[1]
    return problems


def load_files(**files: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Datasets by name, from data-file parameters (``load_files(troops_csv="data/us_troops.csv")``).

    The data package says which dataset each parameter feeds; a relative path is read from the
    project root. Foreign keys are checked against the files given here, where they are given.
    """
    by_dataset: dict[str, Path] = {}
    for parameter, path in files.items():
        dataset = resource_for_parameter(parameter)
        if dataset is None:
            raise BookError(f"parameter {parameter}: no dataset in {paths.display(paths.DATAPACKAGE)} is fed by it")
        by_dataset[dataset] = paths.data_file(path)
    return {name: load(name, file, related=by_dataset) for name, file in by_dataset.items()}
