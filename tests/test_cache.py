"""Re-run only what changed: reuse, parallel execution, incremental HTML, no-op rebuilds."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from alliance_book import execute, params, paths, sphinxbuild

from conftest import built_copy, cli, clone


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_copy(tmp_path_factory.mktemp("cache") / "project")


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_noop_rebuild_runs_no_kernel_and_no_sphinx(built):
    html, chapters = mtimes(built / "_build" / "html"), mtimes(built / "book" / "chapters")
    sphinx = mtimes(built / "_build" / ".sphinx")
    result = cli(built, "build")
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert not [line for line in lines if line.startswith("ran ")]
    assert len([line for line in lines if line.startswith("reused ")]) == len(params.notebooks())
    assert "nothing changed" in result.stdout
    assert mtimes(built / "_build" / "html") == html
    assert mtimes(built / "book" / "chapters") == chapters
    assert mtimes(built / "_build" / ".sphinx") == sphinx


def test_changed_data_file_reruns_exactly_its_readers(built, tmp_path):
    built = clone(built, tmp_path / "project")
    readers = {"02_public_opinion", "05_checking_sources"}  # the chapters that load us_opinion
    us = built / "data" / "us_opinion.csv"
    lines = us.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if ",2023," in line and "defend_south_korea" in line and ",support," in line)
    lines[row] = lines[row].replace(",support,50,", ",support,51,")
    us.write_text("\n".join(lines) + "\n")
    result = cli(built, "build")
    assert result.returncode == 0, result.stderr
    ran = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ran ")}
    reused = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("reused ")}
    assert ran == readers and readers.isdisjoint(reused) and len(reused) == 3
    page = (built / "_build/html/book/chapters/02_public_opinion.html").read_text()
    assert re.search(r"<td>Chicago Council[^<]*</td>\s*<td>2023</td>(?:(?!</tr>).)*<td>51</td>", page, re.S)


def test_force_reruns_everything(built, tmp_path):
    built = clone(built, tmp_path / "project")
    result = cli(built, "run", "--force", "-j", "1")
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert not [line for line in lines if line.startswith("reused ")]
    assert len([line for line in lines if line.startswith("ran ")]) == len(params.notebooks())


def test_a_changed_parameter_reruns_only_that_chapter(built, tmp_path):
    built = clone(built, tmp_path / "project")
    result = cli(built, "run", "-p", "start_year", "1960")
    assert result.returncode == 0, result.stderr
    ran = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("ran ")]
    assert len(ran) == 1 and "01_alliance_phases" in ran[0] and "parameters changed: start_year" in ran[0]


def test_execute_all_accepts_another_executor(tmp_path):
    runs = params.resolve(["04_nato_indo_pacific", "05_checking_sources"])
    with ProcessPoolExecutor(max_workers=2) as pool:
        outcomes = execute.execute_all(runs, out_dir=tmp_path, executor=pool, force=True)
    assert [o.name for o in outcomes] == [r.name for r in runs] and all(o.executed for o in outcomes)
    again = execute.execute_all(runs, out_dir=tmp_path, jobs=2)
    assert not any(o.executed for o in again) and all(o.reason == "inputs unchanged" for o in again)


def test_pages_gluing_from_a_changed_chapter_are_marked_for_rereading(tmp_path, monkeypatch):
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    reader = book / "summary.md"
    reader.write_text("The peak was {glue:text}`chapters/01_alliance_phases.ipynb::peak_count:,`.\n")
    other = book / "other.md"
    other.write_text("Nothing glued here.\n")
    monkeypatch.setattr(paths, "BOOK", book)
    monkeypatch.setattr(paths, "CHAPTERS", book / "chapters")
    old = {"book/chapters/01_alliance_phases.ipynb": "a", "book/chapters/02_public_opinion.ipynb": "b"}
    new = {"book/chapters/01_alliance_phases.ipynb": "c", "book/chapters/02_public_opinion.ipynb": "b"}
    assert sphinxbuild._touch_cross_page_readers(old, new) == [reader]
    assert sphinxbuild._touch_cross_page_readers(new, new) == []
