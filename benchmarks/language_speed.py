"""Benchmark: the book in three languages against the English book alone, measured in one run.

On fresh copies of the project (no build, no cache), each measured --runs times (median):

  english   `alliance-book build`: execute every chapter, build the English HTML;
  all       `alliance-book build --language all`: the same execution, then the English, Thai and
            Korean HTML (each language from a localised copy of the executed chapters);
  no-op     `alliance-book build --language all` again, with nothing changed.

It prints the times, the ratio all/english (goal: at most 1.6) and the no-op time, and checks
that building every language executed no more notebooks than the English build did. Usage:

    .venv/bin/python benchmarks/language_speed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import BIN, ROOT, copy_project, sh, timed  # noqa: E402

GOAL = 1.6


def executions(project: Path) -> int:
    """Chapters filed in the chapter store: one per notebook execution."""
    return len(list((project / "_build" / ".cache" / "chapters").glob("*/[!.]*.ipynb")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build = [str(BIN / "alliance-book"), "build"]
    times: dict[str, list[float]] = {"english": [], "all": [], "noop": []}
    runs: dict[str, list[int]] = {"english": [], "all": []}
    with tempfile.TemporaryDirectory(prefix="alliance-lang-bench-") as tmp:
        for i in range(args.runs):
            english = copy_project(Path(tmp) / f"en{i}")
            times["english"].append(timed(lambda: sh(build, english)))
            runs["english"].append(executions(english))
            every = copy_project(Path(tmp) / f"all{i}")
            times["all"].append(timed(lambda: sh(build + ["--language", "all"], every)))
            runs["all"].append(executions(every))
            times["noop"].append(timed(lambda: sh(build + ["--language", "all"], every)))
            print(f"  run {i + 1}: english {times['english'][-1]:.1f} s, all {times['all'][-1]:.1f} s, "
                  f"no-op {times['noop'][-1]:.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["all"] / med["english"]
    result = {"english_s": round(med["english"], 2), "all_languages_s": round(med["all"], 2),
              "noop_all_languages_s": round(med["noop"], 3), "ratio_all_vs_english": round(ratio, 3),
              "goal": GOAL, "executions_english": runs["english"], "executions_all": runs["all"]}
    print(json.dumps(result, indent=1))
    print(f"three languages / English only: {ratio:.2f}x (goal <= {GOAL}x): {'met' if ratio <= GOAL else 'NOT met'}")
    print(f"no-op rebuild of all three: {med['noop']:.2f} s")
    if runs["all"] != runs["english"]:
        raise SystemExit(f"building every language executed {runs['all']} notebooks, English alone {runs['english']}")
    out = ROOT / "_build" / "benchmark-languages.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
