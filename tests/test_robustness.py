"""Nothing lost, nothing hidden: bad input is refused clearly, killed builds recover, rebuilds are identical."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, built_copy, cli, copy_project, read_rows, write_rows
from test_cli import tree_hash


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A project with a good book built."""
    return built_copy(tmp_path_factory.mktemp("robust") / "project")


def state(project: Path) -> tuple[str, str, str]:
    """What must never change on a refused build: the book, the executed chapters, the data."""
    return (tree_hash(project / "_build" / "html"), tree_hash(project / "book" / "chapters"),
            tree_hash(project / "data"))


def rows(project: Path, name: str) -> list[dict[str, str]]:
    return read_rows(project / "data" / name)


def changed(name: str, change: Callable[[list[dict[str, str]]], object], **kw) -> Callable[[Path, Path], Path]:
    """A case that writes a changed copy of a data file to the temporary folder."""
    def make(project: Path, tmp: Path) -> Path:
        table = rows(project, name)
        result = change(table)
        columns = result if isinstance(result, list) and result and isinstance(result[0], str) else None
        return write_rows(tmp / name, table, columns, **kw)
    return make


def text_file(name: str, content: Callable[[str], str | bytes]) -> Callable[[Path, Path], Path]:
    def make(project: Path, tmp: Path) -> Path:
        produced = content((project / "data" / name).read_text(encoding="utf-8"))
        target = tmp / name
        target.write_bytes(produced if isinstance(produced, bytes) else produced.encode("utf-8"))
        return target
    return make


def drop(column: str) -> Callable[[list[dict[str, str]]], list[str]]:
    def change(table: list[dict[str, str]]) -> list[str]:
        return [c for c in table[0] if c != column]
    return change


def rename(old: str, new: str) -> Callable[[list[dict[str, str]]], list[str]]:
    def change(table: list[dict[str, str]]) -> list[str]:
        for row in table:
            row[new] = row.pop(old)
        return list(table[0])
    return change


# (parameter, file maker, what the message must name)
DATA_CASES = {
    "missing column": ("troops_csv", changed("us_troops.csv", drop("year")), "line 1: missing column 'year'"),
    "renamed column": ("troops_csv", changed("us_troops.csv", rename("year", "yr")), "unexpected column 'yr'"),
    "wrong type": ("troops_csv", changed("us_troops.csv", lambda t: t[0].update(troops_active_duty="many")),
                   "line 2, column 'troops_active_duty'"),
    "empty file": ("troops_csv", text_file("us_troops.csv", lambda s: ""), "is empty"),
    "header only": ("troops_csv", text_file("us_troops.csv", lambda s: s.splitlines()[0] + "\n"), "no rows"),
    "duplicate key": ("troops_csv", changed("us_troops.csv", lambda t: t.append(dict(t[3]))), "duplicate key"),
    "share over 100": ("us_survey_csv", changed("us_opinion.csv", lambda t: t[0].update(percent="140")),
                       "line 2, column 'percent'"),
    "negative count": ("troops_csv", changed("us_troops.csv", lambda t: t[1].update(troops_active_duty="-5")),
                       "line 3, column 'troops_active_duty'"),
    "year out of range": ("milestones_csv", changed("alliance_milestones.csv", lambda t: t[0].update(year="1850")),
                          "line 2, column 'year'"),
    "date not matching precision": ("milestones_csv", changed(
        "alliance_milestones.csv", lambda t: t[0].update(date_precision="month")), "line 2, column 'date'"),
    "unknown category": ("milestones_csv", changed("alliance_milestones.csv", lambda t: t[2].update(category="alien")),
                         "line 4, column 'category'"),
    "unknown partner": ("timeline_csv", changed("nato_ip4_timeline.csv", lambda t: t[0].update(partner="Japna")),
                        "line 2, column 'partner'"),
    "wrong delimiter": ("troops_csv", changed("us_troops.csv", lambda t: None, delimiter=";"), "not separated by commas"),
    "not UTF-8": ("rok_survey_csv", text_file("rok_opinion.csv",
                                              lambda s: s.replace("Asan", "Asán").encode("latin-1", errors="replace")),
                  "not UTF-8"),
    "trailing garbage": ("troops_csv", text_file("us_troops.csv", lambda s: s + "garbage;;;,x,y,z,w,v,u,t,s,r,q\n"),
                         f"line {len(read_rows(REPO / 'data' / 'us_troops.csv')) + 2}"),
    "answers over 100 together": ("rok_survey_csv", changed("rok_opinion.csv", lambda t: t[1].update(percent="60")),
                                  "sum to 147.3%"),
}

PARAM_CASES = {
    "unknown parameter": (["-p", "no_such_param", "1"], "no_such_param"),
    "wrong type": (["-p", "start_year", "abc"], "parameter 'start_year'"),
    "missing data file": (["-p", "troops_csv", "data/no_such_file.csv"], "parameter 'troops_csv': file not found"),
    "empty list": (["-p", "key_events", "[]"], "'key_events'"),
    "inverted year range": (["-p", "start_year", "2000", "-p", "end_year", "1990"], "start_year 2000 is after end_year 1990"),
    "unknown notebook": (["no_such_notebook"], "unknown notebook 'no_such_notebook'"),
    "-p without value": (["-p", "start_year"], "needs a NAME and a VALUE"),
}


def refused(project: Path, args: list[str], *expected: str) -> None:
    before = state(project)
    result = cli(project, "build", *args)
    assert result.returncode != 0, result.stdout
    for fragment in expected:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.count("error:") == 1  # one message, not a cascade
    assert state(project) == before


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_bad_data_file_is_refused_and_nothing_changes(good, tmp_path, case):
    parameter, make, expected = DATA_CASES[case]
    bad = make(good, tmp_path)
    # The message names the file, and the line and column where there is one.
    refused(good, ["-p", parameter, str(bad)], str(bad), expected)


@pytest.mark.parametrize("case", sorted(PARAM_CASES))
def test_bad_parameter_is_refused_and_nothing_changes(good, case):
    args, expected = PARAM_CASES[case]
    refused(good, args, expected)


def test_parameter_file_that_is_not_a_mapping_or_not_yaml_is_refused(good, tmp_path):
    listed = tmp_path / "list.yaml"
    listed.write_text("- start_year\n- 1970\n")
    refused(good, ["-f", str(listed)], "list.yaml: must be a mapping")
    broken = tmp_path / "broken.yaml"
    broken.write_text("start_year: [1970\n")
    refused(good, ["-f", str(broken)], "broken.yaml: not valid YAML")


def test_bad_file_in_data_is_refused_and_left_as_the_user_wrote_it(good):
    troops = good / "data" / "us_troops.csv"
    original = troops.read_bytes()
    try:
        troops.write_bytes(original.replace(b",2024,", b",1850,", 1))
        refused(good, [], "data/us_troops.csv, line ")
    finally:
        troops.write_bytes(original)


def test_notebook_without_parameters_cell_is_refused(good):
    path = good / "notebooks" / "04_nato_indo_pacific.ipynb"
    original = path.read_bytes()
    try:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != "parameters"]
        nbformat.write(nb, path)
        refused(good, [], "04_nato_indo_pacific.ipynb: needs exactly one cell tagged 'parameters', found 0")
    finally:
        path.write_bytes(original)


# --- killed builds ------------------------------------------------------------------------------

def start_build(project: Path) -> subprocess.Popen:
    env = {**os.environ, "ALLIANCE_BOOK_ROOT": str(project)}
    return subprocess.Popen([sys.executable, "-m", "alliance_book", "build"], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the build ended before the moment to kill it"
        assert time.monotonic() < deadline, "the moment to kill the build never came"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("moment", ["during execution", "during Sphinx"])
def test_killed_build_keeps_the_last_good_book_and_the_next_build_recovers(good, moment):
    book = tree_hash(good / "_build" / "html")
    troops = good / "data" / "us_troops.csv"
    original = troops.read_bytes()
    peak = max(read_rows(troops), key=lambda r: int(r["troops_active_duty"]))  # shown in the prose: the peak
    new = int(peak["troops_active_duty"]) + 1
    old_cell = f",{peak['year']},{peak['troops_active_duty']},"
    troops.write_bytes(original.replace(old_cell.encode(), f",{peak['year']},{new},".encode(), 1))
    chapters = good / "book" / "chapters"
    if moment == "during execution":
        ready = lambda: any(p.name.startswith(".") and p.suffix == ".ipynb" for p in chapters.iterdir())  # noqa: E731
    else:
        ready = lambda: (good / "_build" / ".sphinx" / "BUILDING").exists()  # noqa: E731
    try:
        kill_when(start_build(good), ready)
        assert (good / "_build" / "html" / "index.html").is_file()
        assert tree_hash(good / "_build" / "html") == book
        result = cli(good, "build")
        assert result.returncode == 0, result.stderr
        assert f"{new:,}" in (good / "_build/html/book/chapters/01_alliance_phases.html").read_text()
        assert not [p for p in chapters.iterdir() if p.name.startswith(".") and p.suffix == ".ipynb"]
    finally:
        troops.write_bytes(original)
    assert cli(good, "build").returncode == 0
    # No copy of an old book and no figure of an earlier build is left behind.
    assert [p.name for p in (good / "_build").glob("html-*")] == [os.readlink(good / "_build" / "html")]
    shown = (good / "_build" / "html" / "_images")
    pages = "".join(p.read_text() for p in (good / "_build" / "html").rglob("*.html"))
    # (Figures are inline SVG; a book with no image files has no _images folder at all.)
    assert all(image.name in pages for image in (shown.iterdir() if shown.is_dir() else []))


# --- identical rebuilds, no network -------------------------------------------------------------

def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_clean_builds_are_byte_identical(tmp_path):
    one = copy_project(tmp_path / "one" / "project")
    other = copy_project(tmp_path / "elsewhere" / "project")  # another folder: no path may leak in
    for project in (one, other):
        result = cli(project, "build")
        assert result.returncode == 0, result.stderr
    for sub in ("book/chapters", "_build/html"):
        a, b = files(one / sub), files(other / sub)
        assert a.keys() == b.keys(), sub
        differing = [name for name in a if a[name] != b[name]]
        assert not differing, f"{sub}: {differing[:5]}"


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root and unshare")
def test_build_needs_no_network(tmp_path):
    project = copy_project(tmp_path / "offline")
    env = {**os.environ, "ALLIANCE_BOOK_ROOT": str(project)}
    # A new network namespace has only a loopback device (brought up for the kernels' local sockets).
    command = f"ip link set lo up && {sys.executable} -m alliance_book build"
    result = subprocess.run(["unshare", "--net", "sh", "-c", command], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "_build" / "html" / "index.html").is_file()
