"""Benchmark: our pipeline against the naive one and against Jupyter Book's own cache.

Everything is measured in this run, on copies of the real book, and printed as ratios, so the
figures hold on any machine:

  (a) cold build: ours vs naive (papermill CLI per notebook in sequence, then
      `jupyter-book build --all`) and vs Jupyter Book executing with `execute_notebooks: cache`;
  (b) no-op rebuild: ours vs Jupyter Book's cache with nothing changed;
  (c) one data file changed; (d) one parameter changed (ours vs naive);
  (e) how a cold build grows with the number of notebooks (1, 2, 4 copies of a chapter).

Each figure is the median of --runs runs (3 by default). Usage, from the project root:

    .venv/bin/python benchmarks/build_speed.py [--runs 3] [--quick]

--quick runs each case once and skips (e): a smoke test, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INPUTS = ("data", "notebooks", "params", "book", "locales", "_config.yml", "_toc.yml", "requirements.lock")
SKIP = shutil.ignore_patterns("_build", "_generated", "node_modules", "*.ipynb_checkpoints", "__pycache__")
TARGETS = {"cold_vs_naive": 0.45, "noop_seconds": 0.5, "noop_vs_jb_cache": 0.2}


def copy_project(dest: Path) -> Path:
    """A fresh copy of the book's inputs, with no build and no executed chapter."""
    dest.mkdir(parents=True)
    for name in INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=SKIP)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    for executed in (dest / "book" / "chapters").glob("*.ipynb"):
        executed.unlink()
    return dest


def sh(cmd: list[str], root: Path) -> None:
    env = {**os.environ, "ALLIANCE_BOOK_ROOT": str(root)}
    result = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def timed(step: Callable[[], None]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def median_of(runs: int, prepare: Callable[[int], Path], step: Callable[[Path], None]) -> float:
    """Median wall time of ``step`` over ``runs`` runs, each on a project made by ``prepare`` (not timed)."""
    times = []
    for i in range(runs):
        project = prepare(i)
        times.append(timed(lambda p=project: step(p)))
    print(f"  measured: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return statistics.median(times)


# --- the three ways of building -------------------------------------------------------------

def ours(project: Path, *args: str) -> None:
    sh([str(BIN / "alliance-book"), "build", *args], project)


def naive(project: Path, overrides: dict[str, dict] | None = None) -> None:
    """papermill's CLI for each notebook in sequence, then a full Jupyter Book build."""
    defaults = yaml.safe_load((project / "params" / "default.yaml").read_text()) or {}
    for nb in sorted((project / "notebooks").glob("*.ipynb")):
        values = {**defaults.get(nb.stem, {}), **(overrides or {}).get(nb.stem, {})}
        pfile = project / "_build" / "naive" / f"{nb.stem}.yaml"
        pfile.parent.mkdir(parents=True, exist_ok=True)
        pfile.write_text(yaml.safe_dump(values))
        sh([str(BIN / "papermill"), str(nb), str(project / "book" / "chapters" / nb.name), "-f", str(pfile),
            "--no-progress-bar"], project)
    write_generated(project)
    sh([str(BIN / "jupyter-book"), "build", str(project), "--all", "-q"], project)


def write_generated(project: Path) -> None:
    """The generated include files the book's pages need (the naive build has no pipeline to write them)."""
    sh([sys.executable, "-c", "from alliance_book import pages; pages.write_generated(changes_md='Not tracked.\\n')"],
       project)


def jb_cache_project(dest: Path) -> Path:
    """A copy in which Jupyter Book itself executes the source notebooks with its cache."""
    project = copy_project(dest)
    config = yaml.safe_load((project / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "cache"
    config["sphinx"]["config"]["nb_execution_mode"] = "cache"
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p not in ("notebooks", "*.ipynb")]
    (project / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    toc = (project / "_toc.yml").read_text().replace("book/chapters/", "notebooks/")
    (project / "_toc.yml").write_text(toc)
    write_generated(project)
    return project


def jb_build(project: Path) -> None:
    sh([str(BIN / "jupyter-book"), "build", str(project), "-q"], project)


# --- the cases --------------------------------------------------------------------------------

def change_data(project: Path) -> None:
    """Change one survey value (a copy's data only; the project's own data/ is never touched)."""
    us = project / "data" / "us_opinion.csv"
    us.write_text(us.read_text().replace(",support,50,", ",support,51,", 1))


def with_copies(project: Path, copies: int) -> Path:
    """Keep only chapter 04 and add copies of it, listed in the table of contents."""
    nbs = project / "notebooks"
    source = nbs / "04_nato_indo_pacific.ipynb"
    for nb in nbs.glob("*.ipynb"):
        if nb != source:
            nb.unlink()
    names = ["04_nato_indo_pacific"] + [f"04_copy_{i}" for i in range(1, copies)]
    for i, name in enumerate(names[1:], start=1):
        # Each copy needs its own figure and table labels, or Sphinx (strict) refuses duplicates.
        text = source.read_text(encoding="utf-8").replace(":name: ", f":name: copy{i}-")
        (nbs / f"{name}.ipynb").write_text(text, encoding="utf-8")
    toc = yaml.safe_load((project / "_toc.yml").read_text())
    toc["parts"][0]["chapters"] = [{"file": f"book/chapters/{n}"} for n in names]
    (project / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    intro = project / "book" / "intro.md"
    intro.write_text("# Benchmark book\n\nOnly copies of one chapter, to see how the build grows.\n")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run of each case, no scaling: a smoke test")
    parser.add_argument("--cases", default="cold,noop,data,param,edition,scale",
                        help="comma-separated subset of cold,noop,data,param,edition,scale")
    args = parser.parse_args()
    cases = set(args.cases.split(","))
    runs = 1 if args.quick else max(3, args.runs)
    work = Path(tempfile.mkdtemp(prefix="alliance-bench-"))
    results: dict[str, float] = {}
    try:
        fresh = lambda tag: (lambda i: copy_project(work / f"{tag}-{i}"))  # noqa: E731
        if cases & {"cold", "noop"}:
            results["cold_ours"] = median_of(runs, fresh("cold-ours"), ours)
            results["cold_naive"] = median_of(runs, fresh("cold-naive"), naive)
            results["cold_jb_cache"] = median_of(runs, lambda i: jb_cache_project(work / f"cold-jb-{i}"), jb_build)
        if "noop" in cases:
            built = work / "cold-ours-0"  # built above; reused for the incremental cases
            results["noop_ours"] = median_of(runs, lambda i: built, ours)
            jb = work / "cold-jb-0"
            results["noop_jb_cache"] = median_of(runs, lambda i: jb, jb_build)

        def changed(i: int) -> Path:
            project = copy_project(work / f"data-{i}")
            ours(project)
            change_data(project)
            return project

        if "data" in cases:
            results["data_change_ours"] = median_of(runs, changed, ours)
            results["data_change_naive"] = median_of(runs, lambda i: copy_project(work / f"data-naive-{i}"),
                                                     lambda p: (change_data(p), naive(p)))

        def param(i: int) -> Path:
            # The default book with one default changed (-p would build a separate edition).
            project = copy_project(work / f"param-{i}")
            ours(project)
            defaults = project / "params" / "default.yaml"
            defaults.write_text(defaults.read_text().replace("02_public_opinion:\n", "02_public_opinion:\n  since_year: 1995\n"))
            return project

        if "param" in cases:
            results["param_change_ours"] = median_of(runs, param, ours)
            results["param_change_naive"] = median_of(
                runs, lambda i: copy_project(work / f"param-naive-{i}"),
                lambda p: naive(p, {"02_public_opinion": {"since_year": 1995}}))

        def built_default(i: int) -> Path:
            project = copy_project(work / f"edition-{i}")
            ours(project)
            return project

        if "edition" in cases:
            # An edition that changes one parameter of one chapter: the others come from the store.
            results["edition_ours"] = median_of(
                runs, built_default, lambda p: ours(p, "-p", "since_year", "1995", "--edition", "one"))
            results["edition_naive"] = median_of(
                runs, lambda i: copy_project(work / f"edition-naive-{i}"),
                lambda p: naive(p, {"02_public_opinion": {"since_year": 1995}}))

        if not args.quick and "scale" in cases:
            for n in (1, 2, 4):
                results[f"scale_{n}_ours"] = median_of(
                    runs, lambda i, n=n: with_copies(copy_project(work / f"scale-{n}-{i}"), n), ours)
                results[f"scale_{n}_naive"] = median_of(
                    runs, lambda i, n=n: with_copies(copy_project(work / f"scale-naive-{n}-{i}"), n), naive)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, runs)


def report(r: dict[str, float], runs: int) -> None:
    def line(label: str, key: str, base: str | None = None, base_label: str = "") -> None:
        if key not in r:
            return
        ratio = f"  {r[key] / r[base]:5.2f}x {base_label}" if base and base in r else ""
        print(f"{label:<48} {r[key]:7.2f} s{ratio}")

    print(f"Median of {runs} run(s), seconds of wall time; ratios are against the baseline measured above.\n")
    line("(a) cold build, naive (papermill CLI + JB --all)", "cold_naive")
    line("    cold build, Jupyter Book cache", "cold_jb_cache")
    line("    cold build, ours", "cold_ours", "cold_naive", "naive")
    line("    cold build, ours", "cold_ours", "cold_jb_cache", "JB cache")
    line("(b) no-op rebuild, Jupyter Book cache", "noop_jb_cache")
    line("    no-op rebuild, ours", "noop_ours", "noop_jb_cache", "JB cache")
    line("(c) one data file changed, naive", "data_change_naive")
    line("    one data file changed, ours", "data_change_ours", "data_change_naive", "naive")
    line("(d) one parameter changed, naive", "param_change_naive")
    line("    one parameter changed, ours", "param_change_ours", "param_change_naive", "naive")
    line("(f) edition with one parameter changed, naive", "edition_naive")
    line("    edition with one parameter changed, ours", "edition_ours", "edition_naive", "naive")
    for n in (1, 2, 4):
        line(f"(e) {n} notebook(s), cold, naive", f"scale_{n}_naive")
        line(f"    {n} notebook(s), cold, ours", f"scale_{n}_ours", f"scale_{n}_naive", "naive")
    checks = {}
    if {"cold_ours", "cold_naive"} <= r.keys():
        checks[f"cold build <= {TARGETS['cold_vs_naive']}x naive"] = r["cold_ours"] / r["cold_naive"] <= TARGETS["cold_vs_naive"]
    if {"noop_ours", "noop_jb_cache"} <= r.keys():
        checks[f"no-op rebuild <= {TARGETS['noop_seconds']} s"] = r["noop_ours"] <= TARGETS["noop_seconds"]
        checks[f"no-op rebuild <= {TARGETS['noop_vs_jb_cache']}x JB cache"] = (
            r["noop_ours"] / r["noop_jb_cache"] <= TARGETS["noop_vs_jb_cache"])
    if checks:
        print("\nTargets:")
        for name, ok in checks.items():
            print(f"  {'met ' if ok else 'MISSED'} {name}")
    out = ROOT / "_build" / "benchmark.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"runs": runs, "seconds": r, "targets_met": checks}, indent=1))
    print(f"\nResults written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
