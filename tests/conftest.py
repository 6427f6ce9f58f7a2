"""Shared fixtures: a throwaway copy of the project, a CLI runner, and reading glued values."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", "*.egg-info", ".pytest_cache", "_generated",
                                     "node_modules")


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file as a list of rows (column -> text)."""
    import csv

    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, table: list[dict[str, str]], columns: list[str] | None = None,
               delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """Write rows as a CSV file (only ``columns``, if given); return its path."""
    import csv

    with Path(path).open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, columns or list(table[0]), extrasaction="ignore", delimiter=delimiter)
        writer.writeheader()
        writer.writerows(table)
    return Path(path)


def copy_project(root: Path) -> Path:
    """Copy the project's inputs (no venv, no build, no executed chapters) to ``root``."""
    root.mkdir(parents=True)
    for name in ("data", "notebooks", "params", "book", "_config.yml", "_toc.yml"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=IGNORE)
        else:
            shutil.copy2(src, root / name)
    for executed in (root / "book" / "chapters").glob("*.ipynb"):
        executed.unlink()
    return root


def built_copy(root: Path) -> Path:
    """A copy of the project at ``root`` with its default book built (the build must succeed)."""
    copy_project(root)
    result = cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def clone(built: Path, root: Path) -> Path:
    """A copy of a built project (book, chapters, caches and all), for a test that changes it."""
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project to change freely."""
    return copy_project(tmp_path / "project")


def cli(root: Path, *args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``alliance-book`` on the project at ``root`` as a user would, in a new process."""
    env = {**os.environ, "ALLIANCE_BOOK_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "alliance_book", *args],
        cwd=cwd or root, env=env, capture_output=True, text=True, timeout=timeout,
    )


def glued(notebook: Path) -> dict:
    """Every value a notebook glued (myst-nb ``glue``), by key: its MIME bundle."""
    from alliance_book import report

    return report.outputs(json.loads(notebook.read_text(encoding="utf-8")))


def text(bundle: dict):
    """The Python value of a glued text/plain repr (numbers and strings)."""
    import ast

    raw = bundle["text/plain"]
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


RICH = {"image/png", "image/svg+xml", "text/html", "text/markdown"}


def values(notebook: Path) -> dict:
    """Glued values of an executed notebook: Python values for plain ones, the bundle for figures and tables."""
    return {k: (v if RICH & set(v) else text(v)) for k, v in glued(notebook).items()}


def run_chapter(stem: str, out: Path, **overrides) -> dict:
    """Execute a chapter with its default parameters and ``overrides`` into ``out``; return its glued values."""
    from alliance_book import execute, params, paths

    defaults = params.read_yaml(paths.DEFAULT_PARAMS)[stem]
    run = params.Run(paths.NOTEBOOKS / f"{stem}.ipynb", {**defaults, **overrides})
    return values(execute.execute(run, out_dir=out, failed_dir=out / "failed"))


def svg_size(bundle: dict) -> tuple[float, float]:
    """Width and height (points) of a glued SVG figure."""
    import re

    svg = "".join(bundle["image/svg+xml"]) if isinstance(bundle["image/svg+xml"], list) else bundle["image/svg+xml"]
    width = re.search(r'width="([\d.]+)pt"', svg)
    height = re.search(r'height="([\d.]+)pt"', svg)
    return float(width.group(1)), float(height.group(1))
