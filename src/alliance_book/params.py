"""Read parameter files and check them against each notebook's ``parameters`` cell.

papermill only warns about a parameter the notebook does not declare and passes command-line
values as strings. Here every name is checked against the notebook's declared parameters
(``papermill.inspect_notebook``) and every value against the type of its default, before
any kernel starts.

Precedence, lowest first: ``params/default.yaml`` < each ``-f FILE`` in order < each ``-p NAME VALUE``.
A parameter YAML maps names to values; a key that is a notebook's name (e.g.
``01_alliance_phases``) holding a mapping sets values for that notebook only. Relative data
paths (parameters ending in ``_csv``) are read from the project root.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from alliance_book import datapackage, paths, store
from alliance_book.errors import BookError
from alliance_book.explain import suggest

PATH_SUFFIX = "_csv"


@dataclass
class Run:
    """One notebook to execute, with its final parameters."""

    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    declared: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The notebook's name without folder or suffix."""
        return self.notebook.stem


def notebooks(selected: list[str] | None = None) -> list[Path]:
    """The source notebooks to run: all of ``notebooks/`` or those named (by stem or path)."""
    available = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    if not selected:
        if not available:
            raise BookError(f"no notebooks in {paths.display(paths.NOTEBOOKS)}")
        return available
    by_stem = {p.stem: p for p in available}
    chosen = []
    for item in selected:
        stem = Path(item).stem
        if stem not in by_stem:
            raise BookError(f"unknown notebook {item!r}{suggest(Path(item).stem, set(by_stem))}; "
                            f"notebooks: {', '.join(by_stem) or 'none'}")
        chosen.append(by_stem[stem])
    return chosen


def _default_value(name: str, source: str, notebook: Path) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError) as exc:
        raise BookError(
            f"{paths.display(notebook)}: the default of parameter {name!r} ({source}) is not a literal value"
        ) from exc


def declared(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook declares, with their default values (cached by the notebook's content)."""
    shown = paths.display(notebook)
    try:
        raw = Path(notebook).read_bytes()
    except OSError as exc:
        raise BookError(f"{shown}: cannot read the notebook ({exc})") from exc
    key = hashlib.sha256(raw).hexdigest()
    found = store.get("parameters", key)
    if found is not None:
        return found
    result = _declared(notebook, shown)
    store.put("parameters", key, result)
    return result


def _declared(notebook: Path, shown: str) -> dict[str, Any]:
    import nbformat
    import papermill

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise BookError(f"{shown}: not a readable notebook ({exc})") from exc
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise BookError(f"{shown}: needs exactly one cell tagged 'parameters', found {len(tagged)}")
    inspected = papermill.inspect_notebook(str(notebook))
    return {name: _default_value(name, p["default"], notebook) for name, p in inspected.items()}


def read_yaml(path: Path) -> dict[str, Any]:
    """A parameter file as a mapping; anything else is an error naming the file."""
    shown = paths.display(path)
    if not path.is_file():
        raise BookError(f"{shown}: parameter file not found")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BookError(f"{shown}: not valid YAML ({exc})") from exc
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise BookError(f"{shown}: must be a mapping of parameter names to values, not {type(content).__name__}")
    return content


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", list: "list", dict: "mapping"}.get(
        type(value), type(value).__name__
    )


def _matches(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        kinds = {type(x) for x in default}
        return len(kinds) != 1 or all(_matches(x, default[0]) for x in value)
    return isinstance(value, type(default))


def from_cli(raw: str, default: Any) -> Any:
    """Turn a ``-p`` value (always text) into the type of the parameter's default."""
    if isinstance(default, str):
        return raw
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _check(notebook: Path, name: str, value: Any, defaults: dict[str, Any], origin: str) -> Any:
    shown = paths.display(notebook)
    if name not in defaults:
        raise BookError(
            f"{origin}: {shown} has no parameter {name!r}{suggest(name, defaults)}; valid names: {', '.join(sorted(defaults))}"
        )
    default = defaults[name]
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not _matches(value, default):
        raise BookError(
            f"{origin}: parameter {name!r} of {shown} must be {_type_name(default)} "
            f"like its default {default!r}, got {value!r}"
        )
    if isinstance(default, list) and default and not value:
        raise BookError(f"{origin}: parameter {name!r} of {shown} must not be an empty list")
    return value


def _per_notebook(mapping: dict[str, Any], stems: set[str]) -> tuple[dict[str, Any], dict[str, dict]]:
    common = {k: v for k, v in mapping.items() if not (k in stems and isinstance(v, dict))}
    specific = {k: v for k, v in mapping.items() if k in stems and isinstance(v, dict)}
    return common, specific


def _data_path(value: str, origin: str, name: str) -> str:
    """A data path as the notebook will get it; a path that exists only from the cwd becomes absolute."""
    candidate = paths.data_file(value)
    if not candidate.is_file() and (Path.cwd() / value).is_file():
        return str((Path.cwd() / value).resolve())
    if not candidate.is_file():
        raise BookError(f"{origin}: parameter {name!r}: file not found: {value}")
    return value


def _check_ranges(run: Run) -> None:
    p = run.parameters
    if isinstance(p.get("start_year"), int) and isinstance(p.get("end_year"), int) and p["end_year"]:
        if p["start_year"] > p["end_year"]:
            raise BookError(
                f"{run.name}: start_year {p['start_year']} is after end_year {p['end_year']}"
            )


def resolve(
    selected: list[str] | None = None,
    cli: list[tuple[str, str]] | None = None,
    files: list[Path] | None = None,
    defaults_file: Path | None = None,
) -> list[Run]:
    """Final, checked parameters for each selected notebook."""
    nbs = notebooks(selected)
    every = {nb.stem: nb for nb in notebooks()}
    all_stems = set(every)
    layers: list[tuple[str, dict[str, Any]]] = []
    defaults_file = defaults_file or paths.DEFAULT_PARAMS
    if defaults_file.is_file():
        layers.append((paths.display(defaults_file), read_yaml(defaults_file)))
    for f in files or []:
        layers.append((paths.display(f), read_yaml(Path(f))))

    runs = []
    for nb in nbs:
        defaults = declared(nb)
        params: dict[str, Any] = {}
        for origin, mapping in layers:
            common, specific = _per_notebook(mapping, all_stems)
            for name, value in common.items():
                if name in defaults:
                    params[name] = _check(nb, name, value, defaults, origin)
            for name, value in specific.get(nb.stem, {}).items():
                params[name] = _check(nb, name, value, defaults, f"{origin} [{nb.stem}]")
        for name, raw in cli or []:
            if name in defaults:
                params[name] = _check(nb, name, from_cli(raw, defaults[name]), defaults, f"-p {name}")
        runs.append(Run(nb, params, defaults))

    _refuse_unknown(layers, cli or [], runs, every)
    for run in runs:
        for name, value in list(run.parameters.items()):
            if name.endswith(PATH_SUFFIX) and isinstance(value, str):
                run.parameters[name] = _data_path(value, run.name, name)
            elif name == "datasets" and isinstance(value, dict):
                unknown = [k for k in value if k not in datapackage.resource_names()]
                if unknown:
                    raise BookError(f"{run.name}: parameter datasets: unknown datasets {', '.join(map(str, unknown))}; "
                                    f"datasets: {', '.join(datapackage.resource_names())}")
                run.parameters[name] = {k: _data_path(str(v), run.name, f"datasets[{k}]") for k, v in value.items()}
        _check_ranges(run)
    return runs


def _refuse_unknown(
    layers: list[tuple[str, dict]], cli: list[tuple[str, str]], runs: list[Run], every: dict[str, Path]
) -> None:
    """A name no notebook declares stops the run, naming the valid ones.

    ``-p`` names must belong to a selected notebook; names in a YAML file to any notebook,
    so that one edition file can serve a run of a few chapters.
    """
    selected = {name for run in runs for name in run.declared}
    which = ", ".join(run.name for run in runs)
    for name, _ in cli:
        if name not in selected:
            raise BookError(f"-p {name}: no parameter {name!r} in {which}{suggest(name, selected)}; "
                            f"valid names: {', '.join(sorted(selected))}")
    by_stem = {run.name: run.declared for run in runs}
    anywhere: set[str] | None = None
    for origin, mapping in layers:
        common, _ = _per_notebook(mapping, set(every))
        for name, value in common.items():
            if name in selected:
                continue
            if anywhere is None:
                anywhere = {n for stem, nb in every.items() for n in by_stem.get(stem) or declared(nb)}
            if name in anywhere:
                continue
            if isinstance(value, dict):
                # A section for a notebook this project does not hold: the defaults may list
                # chapters a user removed, but a user's own file names only real ones.
                if origin == paths.display(paths.DEFAULT_PARAMS):
                    continue
                raise BookError(f"{origin}: no notebook named {name!r}; notebooks: {', '.join(sorted(every))}")
            raise BookError(f"{origin}: no notebook has a parameter {name!r}{suggest(name, anywhere)}; "
                            f"valid names: {', '.join(sorted(anywhere))}")


def data_overrides(runs: list[Run]) -> list[tuple[str, str, Path]]:
    """(notebook, dataset, file) for each data-file parameter, to validate before running."""
    found = []
    for run in runs:
        for name, value in run.parameters.items():
            dataset = datapackage.resource_for_parameter(name)
            if dataset and isinstance(value, str):
                found.append((run.name, dataset, paths.data_file(value)))
            elif name == "datasets" and isinstance(value, dict):
                # {dataset name: file}: files given by dataset name rather than by parameter
                found += [(run.name, str(k), paths.data_file(str(v))) for k, v in value.items()
                          if str(k) in datapackage.resource_names()]
    return found


SWEEP_KEYS = ("grid", "editions")


def is_sweep_file(path: Path) -> bool:
    """Whether a YAML file in params/ is a sweep file (``alliance-book sweep``), not an edition's parameters."""
    try:
        content = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(content, dict) and any(k in content for k in SWEEP_KEYS)


def edition_files(folder: Path | None = None) -> list[Path]:
    """The editions shipped in params/: every parameter file but the default one and sweep files."""
    folder = folder or paths.PARAMS
    default = folder / paths.DEFAULT_PARAMS.name
    return [f for f in sorted(folder.glob("*.yaml")) if f != default and not is_sweep_file(f)]
