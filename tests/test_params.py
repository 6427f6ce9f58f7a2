"""Parameters are checked against each notebook's parameters cell before any kernel starts."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

from alliance_book import params, paths
from alliance_book.errors import BookError

NB = "01_alliance_phases"


def resolve(**kw):
    return {run.name: run.parameters for run in params.resolve([NB], **kw)}[NB]


def test_defaults_come_from_params_default_yaml():
    defaults = params.read_yaml(paths.DEFAULT_PARAMS)[NB]
    assert resolve() == defaults


def test_default_yaml_and_notebook_agree_on_names_and_types():
    declared = params.declared(paths.NOTEBOOKS / f"{NB}.ipynb")
    for name, value in params.read_yaml(paths.DEFAULT_PARAMS)[NB].items():
        assert name in declared and type(value) is type(declared[name]), name


def test_unknown_parameter_is_refused_naming_notebook_and_valid_names():
    with pytest.raises(BookError) as info:
        resolve(cli=[("no_such_param", "1")])
    message = str(info.value)
    assert "no_such_param" in message and NB in message and "start_year" in message


def test_value_of_wrong_type_is_refused():
    with pytest.raises(BookError, match=r"start_year.*integer.*'abc'"):
        resolve(cli=[("start_year", "abc")])
    with pytest.raises(BookError, match="troop_series.*list"):
        resolve(cli=[("troop_series", "dmdc_report")])


def test_cli_values_take_the_type_of_the_default():
    p = resolve(cli=[("start_year", "1970"), ("host_country", "1970"), ("troop_series", "[dmdc_report]")])
    assert p["start_year"] == 1970 and p["host_country"] == "1970" and p["troop_series"] == ["dmdc_report"]


def test_later_layers_win_cli_over_file_over_defaults(tmp_path):
    f1 = tmp_path / "a.yaml"
    f1.write_text("start_year: 1960\nend_year: 2000\n")
    f2 = tmp_path / "b.yaml"
    f2.write_text(f"{NB}:\n  start_year: 1965\n")
    p = resolve(files=[f1, f2], cli=[("end_year", "1990")])
    assert (p["start_year"], p["end_year"]) == (1965, 1990)


def test_yaml_that_is_not_a_mapping_is_refused(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- start_year\n- 1970\n")
    with pytest.raises(BookError, match=r"list.yaml: must be a mapping"):
        resolve(files=[bad])


def test_unknown_name_in_a_yaml_file_is_refused(tmp_path):
    f = tmp_path / "typo.yaml"
    f.write_text("start_yaer: 1970\n")
    with pytest.raises(BookError, match="typo.yaml.*start_yaer"):
        resolve(files=[f])


def test_missing_data_file_is_refused():
    with pytest.raises(BookError, match="troops_csv.*not found"):
        resolve(cli=[("troops_csv", "data/nope.csv")])


def test_inverted_year_range_and_empty_list_are_refused():
    with pytest.raises(BookError, match="start_year 2000 is after end_year 1990"):
        resolve(cli=[("start_year", "2000"), ("end_year", "1990")])
    with pytest.raises(BookError, match="key_events.*empty"):
        resolve(cli=[("key_events", "[]")])


def test_unknown_notebook_is_refused():
    with pytest.raises(BookError, match="unknown notebook 'nope'"):
        params.resolve(["nope"])


def _notebook(tmp_path: Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    return path


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    path = _notebook(tmp_path, [nbformat.v4.new_code_cell("a = 1")])
    with pytest.raises(BookError, match="exactly one cell tagged 'parameters', found 0"):
        params.declared(path)


def test_every_assignment_in_the_parameters_cell_is_seen_by_papermill():
    """papermill's parser silently drops a line it cannot read (e.g. '=' in a comment)."""
    for nb_path in params.notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assigned = {t.id for node in ast.parse(cell.source).body for t in node.targets}
        assert set(papermill.inspect_notebook(str(nb_path))) == assigned, nb_path.name
