"""A content-addressed store of executed chapters, shared by the default book and every edition.

An executed chapter is filed under a key of what it was made from (source notebook, parameters,
package code, environment) and, within that, of the data files it read with their contents. A
chapter whose inputs match one already executed, for any book, is copied instead of executed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from alliance_book import paths, provenance

ROOT_NAME = "chapters"
_KEYS = ("notebook", "parameters", "code", "environment")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def key(inputs: dict[str, Any]) -> str:
    """The store's key of a chapter's inputs (data aside): notebook, parameters, code, environment."""
    return _digest({k: inputs.get(k) for k in _KEYS})


def key_of(notebook: Path, parameters: dict[str, Any]) -> str:
    """The store's key of a notebook run with these parameters (also a sweep's Dask task key)."""
    return key(provenance.inputs(notebook, parameters, []))


def folder(inputs: dict[str, Any]) -> Path:
    """Where chapters made from these inputs (data aside) are filed."""
    return paths.BUILD / ".cache" / ROOT_NAME / key(inputs)


def find(notebook: Path, parameters: dict[str, Any]) -> Path | None:
    """An executed chapter made from this notebook and these parameters, whose data files are unchanged."""
    place = folder(provenance.inputs(notebook, parameters, []))
    for candidate in sorted(place.glob("[!.]*.ipynb")):  # not the temporary files of an interrupted put
        old = provenance.recorded_in(candidate)
        files = [paths.data_file(f) for f in old.get("data", {})]
        if old and not provenance.what_changed(old, provenance.inputs(notebook, parameters, files)):
            return candidate
    return None


def put(chapter: Path) -> Path | None:
    """File an executed chapter by what it was made from (an atomic copy; a failure only costs a later run).

    Return where it was filed, or None.
    """
    recorded = provenance.recorded_in(chapter)
    if not recorded:
        return None
    place = folder(recorded)
    stored = place / f"{_digest(recorded.get('data', {}))}.ipynb"
    try:
        place.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=place, prefix=".tmp-", suffix=".ipynb")
        os.close(fd)
        shutil.copyfile(chapter, tmp)
        os.replace(tmp, stored)
    except OSError:
        return None
    return stored


def copy_to(found: Path, target: Path) -> None:
    """Put a stored chapter in a book's chapters folder, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".ipynb")
    os.close(fd)
    shutil.copyfile(found, tmp)
    os.replace(tmp, target)
