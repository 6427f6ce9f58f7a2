"""Source notebooks are stripped, parameterized the papermill way, and hide their code in the book."""

from __future__ import annotations

import nbformat
import pytest

from alliance_book import params

NOTEBOOKS = params.notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_has_one_parameters_cell_after_the_imports(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(c.cell_type != "code" or "import" in c.source for c in nb.cells[: tagged[0]])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_hidden_behind_a_toggle(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "hide-input" in cell.metadata.get("tags", []), cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_with_one_title(path):
    nb = nbformat.read(path, as_version=4)
    titles = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
              if line.startswith("# ")]
    assert len(titles) == 1 and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_the_project_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_text_twin_holds_the_same_cells(path):
    """notebooks/NN.md (jupytext, MyST) is the reviewable text of the notebook: same cells, sources and tags."""
    import jupytext

    twin = path.with_suffix(".md")
    assert twin.is_file(), f"{twin.name} missing: run `make sync`"
    text = jupytext.read(twin)
    nb = nbformat.read(path, as_version=4)

    def cells(notebook):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in notebook.cells]

    assert cells(text) == cells(nb), f"{twin.name} and {path.name} differ: run `make sync`"
