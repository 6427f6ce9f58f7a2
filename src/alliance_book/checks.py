"""Parameter values and data files checked against the data before any kernel starts.

``data/datapackage.json`` says which parameters name things in the data (``parameterValues``: a
host country, survey measures, partners, claim ids...) and which files must hold a given value in
a column to serve their role (a resource's ``role``: the US survey file must be a survey of the
United States). A wrong value or a file in the wrong role is refused naming the parameter, the
file, the column and the valid values, instead of failing inside a notebook.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from alliance_book import datapackage, paths
from alliance_book.explain import suggest

SHOWN = 12  # valid values listed in a message


@cache
def column_values(path: Path, field: str) -> frozenset[str]:
    """The distinct values of one column of a CSV file (read with the csv module: no pandas at start-up)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return frozenset(row.get(field) or "" for row in csv.DictReader(fh)) - {""}


def _listed(values: frozenset[str]) -> str:
    ordered = sorted(values)
    return ", ".join(ordered[:SHOWN]) + (f" and {len(ordered) - SHOWN} more" if len(ordered) > SHOWN else "")


def files_of(values: dict[str, Any]) -> dict[str, Path]:
    """The file each dataset comes from in a run: its data-file parameter, else the package's default."""
    files = {name: datapackage.default_path(name) for name in datapackage.resource_names()}
    for name, value in values.items():
        dataset = datapackage.resource_for_parameter(name)
        if dataset and isinstance(value, str):
            files[dataset] = paths.data_file(value)
        elif name == "datasets" and isinstance(value, dict):
            files |= {str(k): paths.data_file(str(v)) for k, v in value.items() if str(k) in files}
    return files


def problems(name: str, values: dict[str, Any]) -> list[str]:
    """What is wrong with one notebook's parameter values and data files, as messages (empty when all is well)."""
    package = datapackage.package()
    files = files_of(values)
    found: list[str] = []
    for parameter, targets in package.get("parameterValues", {}).items():
        if parameter not in values or values[parameter] in (None, "", []):
            continue
        given = values[parameter] if isinstance(values[parameter], list) else [values[parameter]]
        allowed: frozenset[str] = frozenset()
        where = []
        for target in targets:
            file = files[target["resource"]]
            allowed |= column_values(file, target["field"])
            where.append(f"{paths.display(file)} (column {target['field']!r})")
        for item in given:
            if str(item) not in allowed:
                found.append(f"{name}: parameter {parameter}: {item!r} is not in {' or '.join(where)}"
                             f"{suggest(str(item), allowed)}; valid values: {_listed(allowed)}")
    for dataset, file in files.items():
        role = datapackage.resource(dataset).get("role")
        if not role or dataset not in {datapackage.resource_for_parameter(p) for p in values}:
            continue
        expected = role.get("value") or values.get(role.get("parameter", ""))
        held = column_values(file, role["field"])
        if expected and held and expected not in held:
            found.append(f"{paths.display(file)}, column {role['field']!r}: holds {_listed(held)}, but the "
                         f"{dataset} role needs {expected!r} ({role.get('why', 'the file is given for another role')})")
    return found
