"""The data package descriptor (``data/datapackage.json``): datasets, schemas, sources.

Kept apart from ``data`` so that reading metadata needs no pandas: the command line can decide
that nothing changed without loading any table.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from alliance_book import paths, store
from alliance_book.errors import BookError
from alliance_book.provenance import file_hash

READ_LOG = "ALLIANCE_BOOK_READ_LOG"  # environment variable: a file to which every data file read is appended
_VALIDATOR_FILES = ("data.py", "datapackage.py", "rules.py")


def record_read(path: Path) -> None:
    """Note a data file as read, for the provenance of the chapter being executed."""
    log = os.environ.get(READ_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{Path(path).resolve()}\n")


@cache
def package() -> dict[str, Any]:
    """The data package descriptor (``data/datapackage.json``) as a dict."""
    try:
        record_read(paths.DATAPACKAGE)
        return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BookError(f"{paths.display(paths.DATAPACKAGE)}: cannot read the data package: {exc}") from exc


def resource_names() -> list[str]:
    """Names of every dataset in the data package."""
    return [r["name"] for r in package()["resources"]]


def resource(name: str) -> dict[str, Any]:
    """The descriptor of one dataset."""
    for r in package()["resources"]:
        if r["name"] == name:
            return r
    raise BookError(f"unknown dataset {name!r}; datasets: {', '.join(resource_names())}")


def resource_for_parameter(parameter: str) -> str | None:
    """The dataset whose file a notebook parameter (e.g. ``troops_csv``) points to."""
    for r in package()["resources"]:
        if r.get("parameter") == parameter:
            return r["name"]
    return None


def schema(name: str) -> dict[str, Any]:
    """A dataset's Table Schema; a string in the descriptor names a schema file in ``data/``."""
    value = resource(name)["schema"]
    if isinstance(value, dict):
        return value
    return _schema_file(value)


@cache
def _schema_file(relative: str) -> dict[str, Any]:
    path = paths.DATA / relative
    try:
        record_read(path)
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BookError(f"{paths.display(path)}: cannot read the schema: {exc}") from exc


def default_path(name: str) -> Path:
    """Where a dataset's file lives in ``data/``."""
    return paths.DATA / resource(name)["path"]


def labels(name: str, field: str) -> dict[str, str]:
    """Display labels of a field's values (a ``labels`` mapping in its schema), in schema order."""
    for f in schema(name)["fields"]:
        if f["name"] == field:
            return dict(f.get("labels", {}))
    raise BookError(f"dataset {name!r} has no field {field!r}")


def enum(name: str, field: str) -> list[str]:
    """The values a field allows (its schema's ``enum``), in schema order; empty when any value is allowed."""
    for f in schema(name)["fields"]:
        if f["name"] == field:
            return list(f.get("constraints", {}).get("enum", []))
    raise BookError(f"dataset {name!r} has no field {field!r}")


@cache
def _validator_hash() -> str:
    here = Path(__file__).resolve().parent
    return hashlib.sha256(b"".join((here / f).read_bytes() for f in _VALIDATOR_FILES)).hexdigest()


def validation_key(name: str, path: Path, related: dict[str, Path] | None = None) -> str:
    """What a validation result depends on: the file, its schema, the files it refers to, the validator."""
    related = related or {}
    parts = [name, file_hash(path), json.dumps(schema(name), sort_keys=True), _validator_hash()]
    for fk in schema(name).get("foreignKeys", []):
        target = fk["reference"]["resource"]
        parts.append(file_hash(related.get(target, default_path(target))))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def is_validated(name: str, path: Path, related: dict[str, Path] | None = None) -> bool:
    """Whether this exact file already passed every check (so it need not be read again)."""
    return store.has("validated", validation_key(name, path, related))
