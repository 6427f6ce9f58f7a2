"""Small on-disk records under ``_build/.cache``: stamps (a key was checked) and JSON values.

Each record is one file named by its key, written atomically, so that several processes (the
command and the notebook kernels) can read and write them at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from alliance_book import paths


def _file(kind: str, key: str) -> Path:
    return paths.BUILD / ".cache" / kind / key


def has(kind: str, key: str) -> bool:
    """Whether ``key`` was stamped."""
    return _file(kind, key).is_file()


def get(kind: str, key: str) -> Any:
    """The JSON value stored under ``key``, or None."""
    try:
        return json.loads(_file(kind, key).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def put(kind: str, key: str, value: Any = True) -> None:
    """Store a JSON value (a stamp by default) under ``key``; errors only cost a later recomputation."""
    target = _file(kind, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh)
        os.replace(tmp, target)
    except OSError:
        pass
