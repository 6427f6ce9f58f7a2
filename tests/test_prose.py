"""Quantities in the prose must be glued; years, dates and labels may be typed."""

from __future__ import annotations

import nbformat
import pytest

from alliance_book import params, paths, prose

from conftest import cli


@pytest.mark.parametrize("text", [
    "Support reached 72% in the survey.",
    "About US$3.4 billion of aid.",
    "A floor of 28,500 troops.",
    "It rose by 4.5 percentage points.",
    "Sixteen countries sent troops.",
    "The unit had 350 personnel.",
    "Aid of 120 billion baht.",
])
def test_typed_quantities_are_found(text):
    assert prose.typed_quantities(text), text


@pytest.mark.parametrize("text", [
    "The count peaked at {glue:text}`peak_count:,` in {glue:text}`peak_year:d`.",
    "The Sunshine Policy ran from 1998 to 2008 (1998–2008), and the 1990s saw dialogue begin.",
    "The declaration of 2023-04-26 marked the 70th anniversary in June 2023.",
    "Text under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).",
    "Run `alliance-book run -p start_year 1970` to see it.",
    "```{glue:figure} fig\n:figwidth: 100%\n\nCaption with {glue:text}`n:d` points.\n```",
    "```python\nx = 42\n```",
    "::::{dropdown} Table\n```{glue:figure} t\n:figwidth: 100%\n\nCaption.\n```\n::::",
    "As {cite:p}`park2024` argues, the alliance endured.",
])
def test_labels_code_and_glue_are_allowed(text):
    assert prose.typed_quantities(text) == [], prose.typed_quantities(text)


def test_prose_after_a_directive_is_still_checked():
    text = "```{glue:figure} fig\n:name: f\n\nCaption.\n```\n\nThen 72% agreed."
    assert [m for _, m, _ in prose.typed_quantities(text)] == ["72%"]


def test_the_shipped_chapters_have_no_typed_quantity():
    assert prose.check_book(params.notebooks(), [paths.BOOK / "intro.md"]) == []


def test_typing_a_percentage_fails_the_build_naming_file_and_line(project):
    nb_path = project / "notebooks" / "02_public_opinion.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Data"))
    nb.cells[index].source += "\n\nIn 2022, 72% of Americans agreed."
    nbformat.write(nb, nb_path)
    line = nb.cells[index].source.count("\n") + 1
    result = cli(project, "build")
    assert result.returncode != 0
    assert f"notebooks/02_public_opinion.ipynb, cell {index + 1}, line {line}: typed quantity '72%'" in result.stderr
    assert not (project / "_build" / "html").exists()
