"""Benchmark: the fixed costs of small runs — the quickstart check, lint of the bundled pack, start-up.

    python benchmarks/startup.py [--repeat 5] [--before PATH] [--json out.json]

Each command runs as its own process, the commands alternating round by round, and the medians are
reported beside a baseline measured in the same run:

* ``python -c "import duckdb; ..."`` reading the quickstart's exports: what a user's own check of
  these files costs at the least (the interpreter, DuckDB's import, DuckDB reading the two CSVs);
* ``checker --version`` (the interpreter and the command line's own imports);
* ``checker check`` of ``examples/quickstart`` (goal: under 0.5 s);
* ``checker lint`` of the bundled rule pack (goal: under 1 s).

With ``--before PATH`` (a checkout of an earlier commit, e.g. ``git worktree add /tmp/before HEAD~3``)
every checker command is timed a second time with that checkout's package first on ``sys.path``,
alternating with this one's, and the ratio is printed: the same machine, the same run.
Exit codes are checked: the quickstart check finds violations (1), lint passes (0).
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
QUICKSTART = ROOT / "examples" / "quickstart"

BASELINE = ("import duckdb; c = duckdb.connect(); "
            "[c.read_csv(str(p)).aggregate('count(*)').fetchall() for p in sorted(__import__('pathlib')"
            f".Path({str(QUICKSTART / 'data')!r}).glob('*.csv'))]")
COMMANDS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "checker --version": (["--version"], (0,)),
    "checker check (quickstart)": (["check", "--data", "data", "--rules", "rules", "--schemas", "schemas",
                                    "--as-of", "2026-06-30"], (1,)),
    "checker lint (bundled pack)": (["lint", str(ROOT / "rules")], (0,)),
}


def timed(cmd: list[str], source: Path, ok: tuple[int, ...]) -> float:
    env = dict(os.environ, CHECKER_LANG="en", PYTHONPATH=str(source))
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=QUICKSTART, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} (from {source}) exited {done.returncode}, expected {ok}:\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, help="a checkout of an earlier commit, timed alternately")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    sources = {"now": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    runs: dict[str, list[float]] = {"baseline: DuckDB reads the exports": []}
    for _round in range(args.repeat):
        runs["baseline: DuckDB reads the exports"].append(timed([sys.executable, "-c", BASELINE], ROOT, (0,)))
        for label, (argv, ok) in COMMANDS.items():
            for which, source in sources.items():
                key = f"{label} [{which}]"
                runs.setdefault(key, []).append(timed([sys.executable, "-m", "checker.cli", *argv], source, ok))
    med = {k: statistics.median(v) for k, v in runs.items()}
    base = med["baseline: DuckDB reads the exports"]
    print(f"{'':44} {'median':>8} {'x base':>7}   runs (s)")
    for key, values in runs.items():
        print(f"{key:44} {med[key]:7.2f}s {med[key] / base:6.1f}x   {', '.join(f'{s:.2f}' for s in values)}")
    if args.before:
        for label in COMMANDS:
            print(f"{label}: now / before = {med[f'{label} [now]'] / med[f'{label} [before]']:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "median": med}, indent=1))


if __name__ == "__main__":
    main()
