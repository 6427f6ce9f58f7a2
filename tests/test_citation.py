"""CITATION.cff: a valid Citation File Format 1.2.0 file that names the book as _config.yml does."""

from __future__ import annotations

import tomllib

import yaml

from conftest import REPO

REQUIRED = {"cff-version", "message", "title", "authors"}  # the keys CFF 1.2.0 requires


def citation() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_file_parses_and_has_the_required_keys():
    cff = citation()
    assert isinstance(cff, dict)
    assert REQUIRED <= set(cff), REQUIRED - set(cff)
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] in ("software", "dataset")
    assert cff["authors"] and all(isinstance(a, dict) and (a.get("name") or a.get("family-names"))
                                  for a in cff["authors"])


def test_citation_names_the_book_its_authors_licence_and_version_as_the_project_does():
    cff = citation()
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["title"] == config["title"]
    assert [a["name"] for a in cff["authors"]] == [config["author"]]
    assert cff["license"] == "CC-BY-4.0"  # the text and figures; the message says the code is MIT
    assert "MIT" in cff["message"] and "CC BY 4.0" in cff["message"]
    assert str(cff["version"]) == project["version"]
