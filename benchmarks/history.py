"""What the run history costs: ``bench.py``'s records checked with and without ``--history``.

    .venv/bin/python benchmarks/history.py --rows 1000000 --repeat 3 [--months 12] [--postgres URL] [--json out.json]

Takes ``bench.py``'s generated complaints (~1% planted problems: about 1% of N violations, every one
fingerprinted and stored) and its 10-rule ruleset.  First fills a DuckDB store with ``--months`` monthly
entries (as-of dates a month apart), so each timed run appends to a store with a year behind it.  Then
times, each as its own process and alternating, ``checker check`` without a history (the baseline) and
with ``--history`` (its append: read the series, streaks and trend, hash the result, write the entry in one
transaction), and reports the medians and their ratio; then ``checker history`` (every series, every
entry's violations walked) and ``checker history --verify`` (every entry rehashed) on the filled store.
``--postgres URL`` times the appends on PostgreSQL as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # the benchmark beside this one


def months(start: str, n: int) -> list[str]:
    """``n`` month ends, the last being ``start``'s month end."""
    day = dt.date.fromisoformat(start)
    out = []
    for _ in range(n):
        out.append(day.isoformat())
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--postgres", help="also time appends to this PostgreSQL database (emptied first)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    data = bench.generate(args.rows)
    schemas, rules = bench.write_config()
    out = Path(tempfile.mkdtemp(prefix="bench-history-"))
    store = out / "history.duckdb"
    base = [bench.checker_cli(), "check", "--data", str(data), "--rules", str(rules), "--schemas", str(schemas),
            "--format", "json", "--fail-on", "never"]
    days = months(bench.AS_OF, args.months)
    for day in days[:-1]:
        bench.run_measured(base + ["--as-of", day, "--history", str(store)], out / "fill.json")
    filled = out / "filled.duckdb"
    shutil.copyfile(store, filled)
    stores = {"duckdb": str(store)}
    if args.postgres:
        import psycopg

        with psycopg.connect(args.postgres, autocommit=True) as conn:
            for table in ("checker_violations", "checker_rule_counts", "checker_runs", "checker_history_meta"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        stores["postgres"] = args.postgres
    runs: dict[str, list[dict]] = {"without": [], **{k: [] for k in stores}}
    result: dict = {}
    for k in range(args.repeat):
        stdout = out / "without.json"
        runs["without"].append(bench.run_measured(base + ["--as-of", days[-1]], stdout))
        for label, spec in stores.items():
            if label == "duckdb":
                shutil.copyfile(filled, store)     # every timed append goes onto the same filled store
            stdout = out / f"{label}.json"
            runs[label].append(bench.run_measured(base + ["--as-of", days[-1], "--history", spec], stdout))
            result = json.loads(stdout.read_text(encoding="utf-8"))
        print(f"  round {k + 1}/{args.repeat}: " + ", ".join(f"{label} {r[-1]['seconds']:.2f}s"
                                                           for label, r in runs.items()), file=sys.stderr)
    shutil.copyfile(filled, store)
    bench.run_measured(base + ["--as-of", days[-1], "--history", str(store)], out / "last.json")
    reads = {"history": [], "verify": []}
    for _k in range(args.repeat):
        reads["history"].append(bench.run_measured([bench.checker_cli(), "history", "--history", str(store),
                                                    "--format", "json"], out / "history.json"))
        reads["verify"].append(bench.run_measured([bench.checker_cli(), "history", "--history", str(store),
                                                   "--verify"], out / "verify.txt"))
    median = {label: statistics.median(r["seconds"] for r in rs) for label, rs in {**runs, **reads}.items()}
    violations = result["summary"]["violations"]
    print(f"{args.rows:,} records, {violations:,} violations fingerprinted per run, "
          f"{args.months - 1} entries before the timed one")
    print(f"checker check, no history:                 {median['without']:.2f} s")
    for label in stores:
        print(f"checker check --history ({label}):" + " " * (18 - len(label)) +
              f"{median[label]:.2f} s  ({median[label] / median['without']:.2f}x)")
    print(f"checker history, {args.months} entries:              {median['history']:.2f} s")
    print(f"checker history --verify, {args.months} entries:     {median['verify']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "violations": violations, "months": args.months,
                                         "seconds": median}, indent=2))


if __name__ == "__main__":
    main()
