"""Benchmark: `checker test` over the bundled rule pack, against the per-example loading it replaced.

    python benchmarks/examples.py [--repeat 3] [--json out.json] [PATHS...]

Times, each as its own process and alternating, in the same run (medians):

* ``checker test`` end to end (the command, with its start-up and imports);
* the examples run in a process of their own, as ``checker test`` runs them: each dataset's records
  of all examples converted into a typed table once (``run_examples(staged=True)``);
* the same with each example's records loaded on their own, a typed table created per example
  and dataset (``run_examples(staged=False)``), as ``checker test`` did before: the baseline.

The two example runs must agree: same passed and failed counts, same findings.  Each child
reports its in-process time of ``run_examples`` (loading the rule files and schemas, compiling,
loading and judging the examples) beside the process's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def child(mode: str, paths: list[str]) -> None:
    """Run the examples in this process and print what they gave and how long they took, as JSON."""
    started = time.perf_counter()
    from checker.testing import run_examples

    imported = time.perf_counter()
    report = run_examples([Path(p) for p in paths] or [ROOT / "rules"], None, None, staged=mode == "staged")
    done = time.perf_counter()
    print(json.dumps({"passed": report.passed, "failed": report.failed, "rules": report.rules,
                      "problems": [p.render("en") for p in report.problems],
                      "import_s": imported - started, "run_s": done - imported}))


def timed(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=_env(), check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("CHECKER_LANG", "en")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="rule files or folders (default: the bundled rules/)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", choices=["staged", "apart"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.paths)
        return
    me = [sys.executable, str(Path(__file__).resolve())]
    runs: dict[str, list[float]] = {"checker test": [], "staged": [], "apart": []}
    inner: dict[str, list[float]] = {"staged": [], "apart": []}
    answers: dict[str, Any] = {}
    summary = ""
    for _round in range(args.repeat):
        seconds, out = timed([sys.executable, "-m", "checker.cli", "test", *args.paths])
        runs["checker test"].append(seconds)
        summary = out.strip().splitlines()[-1] if out.strip() else ""
        for mode in ("staged", "apart"):
            seconds, out = timed([*me, "--child", mode, *args.paths])
            got = json.loads(out)
            runs[mode].append(seconds)
            inner[mode].append(got.pop("run_s"))
            got.pop("import_s")
            if answers.setdefault(mode, got) != got:
                sys.exit(f"{mode}: the examples gave different answers between runs")
    if answers["staged"] != answers["apart"]:
        sys.exit("the staged and the per-example runs disagree:\n"
                 f"{json.dumps(answers, ensure_ascii=False, indent=1)}")
    med = {k: statistics.median(v) for k, v in runs.items()}
    med_inner = {k: statistics.median(v) for k, v in inner.items()}
    a = answers["staged"]
    print(f"{a['rules']} rules, {a['passed']} examples passed, {a['failed']} failed (both ways); "
          f"checker test says: {summary}")
    print(f"{'':44} {'process':>9} {'run_examples':>13}   runs")
    labels = {"checker test": "checker test (end to end)",
              "staged": "examples, one conversion per dataset (now)",
              "apart": "examples, one conversion per example (before)"}
    for key, label in labels.items():
        inside = f"{med_inner[key]:12.2f}s" if key in med_inner else f"{'':13}"
        print(f"{label:44} {med[key]:8.2f}s {inside}   {', '.join(f'{s:.2f}' for s in runs[key])}")
    print(f"per-example loading takes {med['apart'] / med['staged']:.1f}x the process time, "
          f"{med_inner['apart'] / med_inner['staged']:.1f}x the time of run_examples")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "run_examples": inner, "median": med,
                                         "median_run_examples": med_inner, "answers": a}, indent=1))


if __name__ == "__main__":
    main()
