"""Editions: a book built with other parameters goes to its own folder; the default book stays as it is."""

from __future__ import annotations

import re

import pytest

from conftest import built_copy, cli
from test_build import visible_text
from test_cli import tree_hash


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_copy(tmp_path_factory.mktemp("editions") / "project")


def test_shipped_edition_builds_without_touching_the_default_book(built):
    default = tree_hash(built / "_build" / "html")
    chapters = tree_hash(built / "book" / "chapters")
    result = cli(built, "build", "-f", "params/since-1978.yaml")
    assert result.returncode == 0, result.stderr
    assert tree_hash(built / "_build" / "html") == default
    assert tree_hash(built / "book" / "chapters") == chapters
    edition = built / "_build" / "editions" / "since-1978" / "html"
    front = visible_text((edition / "book" / "intro.html").read_text())
    assert "edition since-1978" in front
    assert re.search(r"01_alliance_phases .*start_year = 1978", front)
    assert "data/us_troops.csv" in front
    chapter = visible_text((edition / "book/chapters/01_alliance_phases.html").read_text())
    assert "from 1978 to 2024" in chapter


def test_default_front_page_says_it_is_the_default_edition(built):
    front = visible_text((built / "_build/html/book/intro.html").read_text())
    assert "default edition" in front and "params/default.yaml" in front


def test_p_alone_builds_an_edition_named_custom(built):
    default = tree_hash(built / "_build" / "html")
    result = cli(built, "build", "-p", "since_year", "2015")
    assert result.returncode == 0, result.stderr
    assert (built / "_build/editions/custom/html/index.html").is_file()
    assert tree_hash(built / "_build" / "html") == default


def test_bad_edition_name_is_refused(built):
    result = cli(built, "build", "--edition", "../escape", "-p", "since_year", "2015")
    assert result.returncode != 0 and "edition name '../escape'" in result.stderr


def test_an_edition_that_changes_one_parameter_executes_one_notebook(built):
    result = cli(built, "build", "-p", "since_year", "2016", "--edition", "one-parameter")
    assert result.returncode == 0, result.stderr
    ran = [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ran ")]
    assert ran == ["02_public_opinion"]  # the only notebook that declares since_year
    report = (built / "_build/editions/one-parameter/changes.md").read_text()
    assert "compared with the default book" in report and "since_year" in report
