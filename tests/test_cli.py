"""The alliance-book command as a user runs it: clear errors, non-zero exits, nothing damaged."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, cli, glued, text


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_unknown_parameter_exits_non_zero_before_any_kernel_starts(project):
    result = cli(project, "run", "-p", "no_such_param", "1")
    assert result.returncode != 0
    assert "no_such_param" in result.stderr and "start_year" in result.stderr
    assert "Traceback" not in result.stderr and "Kernel" not in result.stderr
    assert not list((project / "book" / "chapters").glob("*.ipynb"))


def test_parameter_of_wrong_type_exits_non_zero_with_a_clear_message(project):
    result = cli(project, "run", "-p", "start_year", "abc")
    assert result.returncode != 0
    assert "start_year" in result.stderr and "integer" in result.stderr and "'abc'" in result.stderr
    assert "Traceback" not in result.stderr


def test_p_needs_a_name_and_a_value(project):
    result = cli(project, "run", "-p", "start_year")
    assert result.returncode != 0 and "NAME and a VALUE" in result.stderr


def test_bad_data_stops_the_run_naming_file_line_and_column_and_changes_nothing(project):
    troops = project / "data" / "us_troops.csv"
    lines = troops.read_text().splitlines()
    lines[2] = lines[2].replace(",326863,", ",-326863,")
    troops.write_text("\n".join(lines) + "\n")
    before = tree_hash(project / "data")
    result = cli(project, "run")
    assert result.returncode != 0
    assert "data/us_troops.csv, line 3, column 'troops_active_duty'" in result.stderr
    assert "nothing was run" in result.stderr
    assert tree_hash(project / "data") == before
    assert cli(project, "validate").returncode != 0


def test_a_bad_data_file_given_as_parameter_is_validated_before_running(project, tmp_path):
    bad = tmp_path / "troops.csv"
    bad.write_text((project / "data" / "us_troops.csv").read_text().replace("dmdc_report", "guessed", 1))
    result = cli(project, "run", "-p", "troops_csv", str(bad))
    assert result.returncode != 0 and f"{bad}, line 2, column 'series'" in result.stderr


def test_validate_passes_on_the_shipped_data(project):
    result = cli(project, "validate")
    n = len(json.loads((project / "data" / "datapackage.json").read_text())["resources"])
    assert result.returncode == 0 and f"{n} datasets match" in result.stdout


def test_run_builds_the_book_with_the_given_parameter_and_says_where_to_open_it(project):
    result = cli(project, "run", "01_alliance_phases", "-p", "start_year", "1980")
    assert result.returncode == 0, result.stderr
    edition = project / "_build" / "editions" / "custom"
    assert text(glued(edition / "src/book/chapters/01_alliance_phases.ipynb")["start_year"]) == 1980
    page = (edition / "html/book/chapters/01_alliance_phases.html").read_text()
    assert "from 1980 to" in re.sub(r"<[^>]+>|\s+", " ", page).replace("  ", " ").replace(" ,", ",")
    assert "_build/editions/custom/html/index.html" in result.stdout and "make preview EDITION=custom" in result.stdout
    assert not (project / "book" / "chapters" / "01_alliance_phases.ipynb").exists()  # the default book is untouched


def test_values_that_name_things_in_the_data_are_checked_before_any_kernel(project):
    result = cli(project, "run", "-p", "host_country", "Atlantis", "-p", "partners", "[Japan, Korea]")
    assert result.returncode != 0 and "nothing was run" in result.stderr
    assert "host_country: 'Atlantis' is not in data/us_troops.csv (column 'host_country')" in result.stderr
    assert "partners: 'Korea' is not in data/nato_partners.csv" in result.stderr and "Republic of Korea" in result.stderr
    assert not list((project / "book" / "chapters").glob("*.ipynb"))


def test_a_file_given_for_another_role_is_refused_naming_file_and_column(project):
    result = cli(project, "run", "-p", "us_survey_csv", "data/rok_opinion.csv")
    assert result.returncode != 0
    assert "data/rok_opinion.csv, column 'surveyed_country'" in result.stderr and "'United States'" in result.stderr


def test_params_lists_each_parameter_with_its_meaning_and_typos_get_a_suggestion(project):
    import nbformat

    listed = cli(project, "params", "01_alliance_phases")
    assert listed.returncode == 0
    cell = next(c for c in nbformat.read(project / "notebooks/01_alliance_phases.ipynb", as_version=4).cells
                if "parameters" in c.metadata.get("tags", []))
    first = cell.source.splitlines()[1]  # the first parameter line, after the comment heading the cell
    name, meaning = first.split("=")[0].strip(), first.split("#", 1)[1].strip()
    assert name in listed.stdout and meaning.split()[0] in listed.stdout
    typo = cli(project, "run", "-p", name[:-1] + "x", "1")
    assert typo.returncode != 0 and f"did you mean {name!r}" in typo.stderr


def test_papermill_cli_runs_the_notebook_from_the_repo_root_as_users_do(tmp_path):
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    result = subprocess.run([str(papermill), "notebooks/01_alliance_phases.ipynb", str(out), "-p", "start_year", "1970"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    g = glued(out)
    assert text(g["start_year"]) == 1970 and text(g["peak_year"]) >= 1970


def test_papermill_cli_works_from_another_working_directory(tmp_path):
    papermill = Path(sys.executable).with_name("papermill")
    result = subprocess.run([str(papermill), str(REPO / "notebooks" / "01_alliance_phases.ipynb"), "out.ipynb",
                             "-p", "end_year", "1960"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert text(glued(tmp_path / "out.ipynb")["latest_year"]) <= 1960


def test_params_file_that_is_not_a_mapping_is_refused(project, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(json.dumps([1, 2]))
    result = cli(project, "run", "-f", str(f))
    assert result.returncode != 0 and "must be a mapping" in result.stderr
