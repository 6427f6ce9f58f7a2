"""Explain parameters to a user: each one's type, default and meaning, and the nearest valid name for a typo."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import Any


def suggest(name: str, valid: list[str] | set[str]) -> str:
    """ " (did you mean 'x'?)" for the closest valid name, or nothing when none is close."""
    close = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list", dict: "mapping",
            type(None): "none"}.get(type(value), type(value).__name__)


def describe(notebook: Path) -> list[dict[str, str]]:
    """A notebook's parameters as rows: name, type, default, meaning (the comment in its parameters cell)."""
    import papermill

    rows = []
    for name, p in papermill.inspect_notebook(str(notebook)).items():
        try:
            default = ast.literal_eval(p["default"])
        except (ValueError, SyntaxError):
            default = p["default"]
        rows.append({"name": name, "type": _type_name(default), "default": p["default"], "meaning": p.get("help", "")})
    return rows
