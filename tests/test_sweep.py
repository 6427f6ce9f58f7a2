"""alliance-book sweep: many editions on a local Dask cluster, each distinct chapter executed once.

Expectations are computed from the sweep file and the notebooks, never copied from a run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, cli, copy_project

CHAPTER = "01_alliance_phases"
GOOD_YEARS = [1978, 1990]  # only chapter 1 differs: chapters 2-5 are shared by both editions
BROKEN_YEAR = 2100  # passes the parameter checks, then a cell of chapter 1 raises (no troop counts)


def notebooks() -> list[str]:
    return sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))


def distinct_chapters(years: list[int]) -> int:
    """Chapter inputs of editions that differ only in chapter 1's start_year: one chapter 1 per year, the rest shared."""
    return len(notebooks()) - 1 + len(set(years))


def stored(project: Path) -> dict[str, float]:
    """Executed chapters in the chapter store (not temporary files), with their modification times."""
    return {str(p.relative_to(project)): p.stat().st_mtime
            for p in (project / "_build" / ".cache" / "chapters").glob("*/[!.]*.ipynb")}


def write_sweep(project: Path, content: dict, name: str = "trial.yaml") -> Path:
    f = project / name
    f.write_text(yaml.safe_dump(content, sort_keys=False))
    return f


def summary(project: Path, name: str) -> dict:
    return json.loads((project / "_build" / "sweeps" / name / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A copy of the project swept once: two good editions, one whose cell raises, one refused before running."""
    project = copy_project(tmp_path_factory.mktemp("sweep") / "project")
    content = {"grid": {f"{CHAPTER}.start_year": GOOD_YEARS},
               "editions": [{"name": "broken", CHAPTER: {"start_year": BROKEN_YEAR}},
                            {"name": "refused", "host_country": "Atlantis"}]}
    write_sweep(project, content)
    result = cli(project, "sweep", "trial.yaml", "--workers", "2", timeout=900)
    return project, result


def test_good_editions_are_built_and_shared_chapters_execute_once(swept):
    project, result = swept
    s = summary(project, "trial")
    good = [e for e in s["editions"] if e["status"] != "failed"]
    assert {e["name"] for e in good} == {f"start_year-{y}" for y in GOOD_YEARS}, result.stdout + result.stderr
    for e in good:
        assert e["status"] == "built"
        assert (project / "_build" / "editions" / e["name"] / "html" / "index.html").is_file()
    # Chapters 2-5: one key for both editions, executed once; chapter 1: one per year.
    expected = distinct_chapters(GOOD_YEARS)
    assert s["executed"] == expected and s["reused"] == 0
    assert len(stored(project)) == expected
    shared = set.intersection(*(set(e["chapters"].items()) for e in good))
    assert {stem for stem, _ in shared} == set(notebooks()) - {CHAPTER}


def test_a_failing_edition_is_reported_with_its_notebook_and_cell_and_stops_nothing(swept):
    project, result = swept
    assert result.returncode != 0
    editions = {e["name"]: e for e in summary(project, "trial")["editions"]}
    broken, refused = editions["broken"], editions["refused"]
    assert broken["status"] == "failed" and f"notebooks/{CHAPTER}.ipynb: cell" in broken["error"]
    assert refused["status"] == "failed" and "Atlantis" in refused["error"] and "nothing was run" in refused["error"]
    assert "failed broken" in result.stderr and f"{CHAPTER}.ipynb: cell" in result.stderr
    assert not (project / "_build" / "editions" / "broken" / "html").exists()
    assert "Traceback (most recent call last)" not in result.stderr.split("failed broken")[0]


def test_the_sweep_index_lists_every_edition_with_its_parameters_status_and_link(swept):
    project, _ = swept
    page = (project / "_build" / "sweeps" / "trial" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<caption>" in page
    for year in GOOD_YEARS:
        name = f"start_year-{year}"
        assert f'href="../../editions/{name}/html/index.html"' in page
        assert f"= {year}" in page
    assert "broken" in page and "refused" in page and page.count("<td>failed</td>") == 2


def test_a_killed_sweep_resumes_without_executing_finished_chapters_again(tmp_path):
    project = copy_project(tmp_path / "project")
    write_sweep(project, {"grid": {f"{CHAPTER}.start_year": GOOD_YEARS}}, "resume.yaml")
    env = {**os.environ, "ALLIANCE_BOOK_ROOT": str(project)}
    first = subprocess.Popen([sys.executable, "-m", "alliance_book", "sweep", "resume.yaml", "--workers", "2"],
                             cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 300
    while not stored(project) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)  # the sweep, its cluster and the kernels
    first.wait()
    done = stored(project)
    assert done, "no chapter reached the store before the kill"
    expected = distinct_chapters(GOOD_YEARS)
    assert len(done) < expected, "the sweep finished before it could be killed"

    again = cli(project, "sweep", "resume.yaml", "--workers", "2", timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    s = summary(project, "resume")
    assert s["reused"] == len(done) and s["executed"] == expected - len(done)
    after = stored(project)
    assert len(after) == expected
    assert all(after[f] == mtime for f, mtime in done.items())  # finished chapters were not written again
    for year in GOOD_YEARS:
        assert (project / "_build" / "editions" / f"start_year-{year}" / "html" / "index.html").is_file()


def test_a_bad_sweep_file_names_the_file_and_the_entry(project):
    write_sweep(project, {"grid": {"start_year": 1978}}, "bad.yaml")
    result = cli(project, "sweep", "bad.yaml")
    assert result.returncode == 1 and "bad.yaml, grid axis 'start_year'" in result.stderr
    write_sweep(project, {"editions": [{"start_year": 1978}, "oops"]}, "bad2.yaml")
    result = cli(project, "sweep", "bad2.yaml")
    assert result.returncode == 1 and "bad2.yaml, editions entry 2" in result.stderr
    assert "Traceback" not in result.stderr and not (project / "_build" / "editions").exists()


def test_edition_names_are_stable_readable_and_safe():
    from alliance_book import paths, sweep

    name = sweep.derive_name([("host_country", "South Korea"), ("start_year", 1978), ("partners", ["Japan", "NZ"])])
    assert name == "host_country-south-korea_start_year-1978_partners-japan-nz"
    assert paths.EDITION_NAME.fullmatch(name)
    long = sweep.derive_name([("claim_ids", ["x" * 50] * 5)])
    assert len(long) <= sweep.MAX_NAME and long == sweep.derive_name([("claim_ids", ["x" * 50] * 5)])


def test_the_example_sweep_names_real_parameters_and_shares_chapters():
    from alliance_book import sweep

    s = sweep.load(REPO / "params" / "sweep-example.yaml")
    assert len(s.editions) >= 6
    sweep.prepare(s)
    assert all(e.status != "failed" for e in s.editions), [e.error for e in s.editions]
    keys = {k for e in s.editions for _, k in e.keys}
    assert len(keys) < len(s.editions) * len(notebooks())  # some chapters are shared
