"""Scale run: `checker check` on `checker sample --rows N` (all 16 datasets, every format) versus DuckDB's own load.

    python benchmarks/scale.py --rows 10000000 [--spark] [--json out.json]

1. ``checker sample --out benchmarks/.data/sample-<N> --rows N`` (cached; the complaints are a
   GB18030 CSV with Chinese headers, other datasets CSV, XLSX, JSON Lines, JSON and Parquet);
2. ``checker check --data … --as-of 2026-06-30`` with the bundled rules, as its own process,
   time and peak RSS (the CLI's defaults: 1 GB DuckDB memory limit, spill to a temp folder);
3. DuckDB's own load of the same files in one process (``CREATE TABLE … AS SELECT * FROM
   read_csv/read_json/read_parquet``, DuckDB's default settings; XLSX through python-calamine, as
   DuckDB has no built-in reader).  DuckDB reads UTF-8 only, so the GB18030 files are transcoded
   by ``iconv`` first; that step is timed on its own and the ratio is given both without and with it;
   the checker and the baseline alternate ``--repeat`` times, each started with its inputs in the
   page cache (:func:`warm`), and medians are reported;
4. optionally ``--engine spark``;
5. the planted answer key (``expected.json``) is compared with what the check found.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench import ROOT, checker_cli, run_measured  # noqa: E402

AS_OF = "2026-06-30"

OWN_LOAD = r"""
import codecs, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import duckdb
from ruamel.yaml import YAML
data = Path(sys.argv[1])
listing = data / "datasets.yaml"
manifest = YAML(typ="safe").load(listing.read_text(encoding="utf-8")) if listing.exists() else {}
files = {}
for domain in sorted(p for p in data.iterdir() if p.is_dir()):
    for f in sorted(domain.iterdir()):
        files[f"{domain.name}.{f.stem}"] = {"path": str(f)}
for name, entry in (manifest or {}).items():
    entry = {"path": entry} if isinstance(entry, str) else dict(entry)
    entry["path"] = str(data / entry["path"])
    files[name] = entry
tmp = Path(tempfile.mkdtemp())
transcode_started = time.perf_counter()
for name, entry in files.items():  # DuckDB reads UTF-8 only: iconv (C) first, timed on its own
    enc = (entry.get("encoding") or "utf-8").lower()
    if entry["path"].endswith(".csv") and enc not in ("utf-8", "utf-8-sig"):
        out = tmp / (name + ".csv")
        if shutil.which("iconv"):
            with open(out, "wb") as dst:
                subprocess.run(["iconv", "-f", enc, "-t", "UTF-8", entry["path"]], stdout=dst, check=True)
        else:
            with open(entry["path"], encoding=enc, errors="replace", newline="") as src, \
                    open(out, "w", encoding="utf-8", newline="") as dst:
                for chunk in iter(lambda: src.read(1 << 22), ""):
                    dst.write(chunk)
        entry["path"] = str(out)
transcode_seconds = time.perf_counter() - transcode_started
con = duckdb.connect()
con.execute("SET enable_progress_bar = false").fetchall()
started = time.perf_counter()
rows = 0
for i, (name, entry) in enumerate(sorted(files.items())):
    p = entry["path"]
    if p.endswith(".csv"):
        rel = f"read_csv('{p}', all_varchar = true)"
    elif p.endswith(".parquet"):
        rel = f"read_parquet('{p}')"
    elif p.endswith(".jsonl") or p.endswith(".json"):
        rel = f"read_json('{p}')"
    elif p.endswith(".xlsx"):
        from python_calamine import CalamineWorkbook
        import pyarrow as pa
        sheet = CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()
        head, body = sheet[0], sheet[1:]
        arrow = pa.table({f"c{j}": pa.array([None if r[j] == "" else str(r[j]) for r in body], pa.string())
                          for j in range(len(head))})
        con.register("x", arrow)
        rel = "x"
    else:
        continue
    con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {rel}").fetchall()
    rows += con.execute(f"SELECT count(*) FROM t{i}").fetchall()[0][0]
    if rel == "x":
        con.unregister("x")
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started, "files": len(files),
                  "transcode_seconds": transcode_seconds}))
"""


def warm(data: Path) -> None:
    """Read every input once, so both sides start with it in the page cache.

    Machines here reclaim the page cache between runs and read the disk at tens of MB/s: without
    this, whichever side runs first pays for the disk (minutes of difference at 10M records).
    """
    for f in sorted(data.rglob("*")):
        if f.is_file():
            with f.open("rb") as fh:
                while fh.read(1 << 24):
                    pass


def _median(runs: list[dict]) -> dict:
    import statistics

    out = dict(runs[len(runs) // 2])
    out["seconds"] = statistics.median(r["seconds"] for r in runs)
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    out["runs"] = [round(r["seconds"], 1) for r in runs]
    if "transcode_seconds" in runs[0]:
        out["transcode_seconds"] = statistics.median(r["transcode_seconds"] for r in runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spark", action="store_true", help="also run checker check --engine spark")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the checker and DuckDB's own load K times; medians")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    data = BENCH / ".data" / f"sample-{args.rows}-{args.seed}"
    if not (data / "expected.json").exists():
        print(f"generating {data} …", file=sys.stderr)
        subprocess.run([checker_cli(), "sample", "--out", str(data), "--rows", str(args.rows), "--seed",
                        str(args.seed)], check=True, cwd=ROOT)
    out = Path(tempfile.mkdtemp(prefix="scale-"))
    size_mb = sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 1e6
    cmd = [checker_cli(), "check", "--data", str(data), "--as-of", AS_OF, "-q", "--json", str(out / "r.json"),
           "--fail-on", "never"]
    checker_runs, own_runs = [], []
    for k in range(args.repeat):  # alternated, each with its inputs in the page cache
        warm(data)
        checker_runs.append(run_measured(cmd, out / "stdout.txt"))
        warm(data)
        own_runs.append(run_measured([sys.executable, "-c", OWN_LOAD, str(data)], out / "own.txt"))
        own_runs[-1].update(json.loads((out / "own.txt").read_text()))
        print(f"  run {k + 1}/{args.repeat}: checker {checker_runs[-1]['seconds']:.1f} s, "
              f"DuckDB's own load {own_runs[-1]['seconds']:.1f} s", file=sys.stderr)
    result = json.loads((out / "r.json").read_text(encoding="utf-8"))
    runs = {"checker": _median(checker_runs)}
    own = _median(own_runs)
    runs["duckdb own load (in-process)"] = own
    with_iconv = dict(own, seconds=own["seconds"] + own["transcode_seconds"])
    runs["+ iconv of the GB18030 CSVs"] = with_iconv
    if args.spark:
        warm(data)
        runs["checker --engine spark"] = run_measured(cmd[:-2] + ["--engine", "spark", "--json", str(out / "s.json"),
                                                                 "--fail-on", "never"], out / "spark.txt")
    records = sum(i["rows"] for i in result["inputs"])
    expected = json.loads((data / "expected.json").read_text(encoding="utf-8"))
    planted = (sum(len(v) if isinstance(v, list) else v for v in expected.values())
               if isinstance(expected, dict) else None)
    print(f"\n{args.rows:,} complaints · {records:,} records in {len(result['inputs'])} exports · {size_mb:,.0f} MB\n")
    print(f"{'command':<32} {'time (s)':>9} {'records/s':>12} {'peak RSS (MB)':>14}")
    for label, r in runs.items():
        print(f"{label:<32} {r['seconds']:>9.1f} {records / r['seconds']:>12,.0f} {r['peak_rss_mb']:>14,.0f}")
    print(f"\nchecker / duckdb own load: {runs['checker']['seconds'] / own['seconds']:.2f} (goal <= 1.5); with the "
          f"transcoding DuckDB needs first: {runs['checker']['seconds'] / with_iconv['seconds']:.2f}; "
          f"peak RSS goal < 1,500 MB: {'met' if runs['checker']['peak_rss_mb'] < 1500 else 'NOT met'}")
    print(f"violations found: {result['summary']['violations']:,}; planted (expected.json): {planted}")
    if args.spark:
        spark = json.loads((out / "s.json").read_text(encoding="utf-8"))
        same = ({r["rule_id"]: (r["status"], r["violations"]) for r in spark["results"]}
                == {r["rule_id"]: (r["status"], r["violations"]) for r in result["results"]})
        print(f"spark engine, same statuses and counts: {same}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "records": records, "mb": size_mb, "runs": runs,
                                         "violations": result["summary"]["violations"]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
