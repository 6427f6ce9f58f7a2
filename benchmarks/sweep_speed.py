"""Benchmark: a sweep of editions on a local Dask cluster against two loops, measured in one run.

N editions (12 by default) that vary one parameter of one chapter (``start_year`` of
01_alliance_phases), each variant cold, in a fresh copy of the project (no cache leaks between them):

  naive   for each edition, papermill's CLI for every notebook, then `jupyter-book build --all`;
  loop    for each edition, `alliance-book build -f EDITION.yaml` (the chapter store shares chapters);
  sweep   `alliance-book sweep SWEEP.yaml --workers W` (2 by default): a local cluster of W processes.

It prints the wall times, the sweep's ratios to both loops, and the number of notebook executions
of each. Usage, from the project root:

    .venv/bin/python benchmarks/sweep_speed.py [--editions 12] [--workers 2] [--variants naive,loop,sweep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import BIN, ROOT, copy_project, naive, sh, timed  # noqa: E402

CHAPTER, PARAMETER = "01_alliance_phases", "start_year"
GOALS = {"naive": 0.35, "loop": 0.7}


def years(n: int) -> list[int]:
    """N start years inside the data (1950-2024): 1955, 1960, ..."""
    return [1955 + (5 * i) % 65 + i // 13 for i in range(n)]


def stored(project: Path) -> int:
    """Chapters filed in the chapter store: one per notebook execution of our pipeline."""
    return len(list((project / "_build" / ".cache" / "chapters").glob("*/[!.]*.ipynb")))


def run_naive(project: Path, values: list[int]) -> int:
    for value in values:
        naive(project, {CHAPTER: {PARAMETER: value}})
    return len(values) * len(list((project / "notebooks").glob("*.ipynb")))


def run_loop(project: Path, values: list[int]) -> int:
    for value in values:
        f = project / f"e{value}.yaml"
        f.write_text(yaml.safe_dump({CHAPTER: {PARAMETER: value}}))
        sh([str(BIN / "alliance-book"), "build", "-f", str(f), "--edition", f"{PARAMETER}-{value}"], project)
    return stored(project)


def run_sweep(project: Path, values: list[int], workers: int) -> int:
    f = project / "bench-sweep.yaml"
    f.write_text(yaml.safe_dump({"grid": {f"{CHAPTER}.{PARAMETER}": values}}))
    sh([str(BIN / "alliance-book"), "sweep", str(f), "--workers", str(workers)], project)
    summary = json.loads((project / "_build" / "sweeps" / "bench-sweep" / "summary.json").read_text())
    return summary["executed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default="naive,loop,sweep")
    args = parser.parse_args()
    values = years(args.editions)
    variants = args.variants.split(",")
    work = Path(tempfile.mkdtemp(prefix="alliance-sweep-bench-"))
    seconds: dict[str, float] = {}
    runs: dict[str, int] = {}
    try:
        for variant in variants:
            project = copy_project(work / variant)
            step = {"naive": lambda: run_naive(project, values), "loop": lambda: run_loop(project, values),
                    "sweep": lambda: run_sweep(project, values, args.workers)}[variant]
            box: list[int] = []
            seconds[variant] = timed(lambda: box.append(step()))
            runs[variant] = box[0]
            print(f"  {variant}: {seconds[variant]:.1f} s, {runs[variant]} notebook executions", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notebooks = len(list((ROOT / "notebooks").glob("*.ipynb")))
    distinct = notebooks - 1 + len(set(values))
    print(f"\n{args.editions} editions varying {CHAPTER}.{PARAMETER}; {distinct} distinct chapter inputs; "
          f"sweep on {args.workers} workers")
    checks = {}
    for base in ("naive", "loop"):
        if base in seconds and "sweep" in seconds:
            ratio = seconds["sweep"] / seconds[base]
            checks[f"sweep <= {GOALS[base]}x {base}"] = ratio <= GOALS[base]
            print(f"sweep / {base:<5} {ratio:5.2f}x  ({seconds['sweep']:.1f} s / {seconds[base]:.1f} s)")
    if "sweep" in runs:
        checks["one execution per distinct chapter input"] = runs["sweep"] == distinct
    for name, ok in checks.items():
        print(f"  {'met ' if ok else 'MISSED'} {name}")
    out = ROOT / "_build" / "sweep_benchmark.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"editions": args.editions, "workers": args.workers, "seconds": seconds,
                               "executions": runs, "distinct": distinct, "goals_met": checks}, indent=1))
    print(f"Results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
