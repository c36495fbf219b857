"""What reading an export's own spellings costs: ``bench.py``'s records, respelled, with a dialect.

    .venv/bin/python benchmarks/dialect.py --rows 1000000 --repeat 3 [--json out.json]

Takes ``bench.py``'s generated complaints (ISO date-times, plain numbers, empty nulls) and writes the
same records the way a Taiwanese CRM exports them: date-times as ``2026/03/01 09:00:00`` local to
Asia/Taipei, amounts as ``NT$1,234.50``, nulls as ``-``, satisfaction scores in full-width digits.
The schema then declares, on every column, ``timezone``, ``null`` and ``normalize: nfkc``, plus
``formats`` on the date-times and ``thousands`` and ``currency`` on the amount.  Planted problems stay
problems in the respelled file (a badly grouped amount, an impossible date, ``N/A``), so both runs must
find the same violations: the script fails when they do not.  Then it times, each as its own process
and alternating, ``checker check`` of the plain file without a dialect (the baseline) and of the
respelled file with it, and reports the medians and their ratio.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # the benchmark beside this one

DIALECT = {"timezone": "Asia/Taipei", "null": ["", "-"], "normalize": "nfkc"}
PROPERTY_DIALECTS = {
    "created_at": {"formats": ["%Y/%m/%d %H:%M:%S"]},
    "first_response_at": {"formats": ["%Y/%m/%d %H:%M:%S"]},
    "closed_at": {"formats": ["%Y/%m/%d %H:%M:%S"]},
    "amount": {"thousands": ",", "currency": ["NT$"]},
}

FULL_WIDTH_DIGITS = "".join(chr(0xFF10 + d) for d in range(10))

RESPELL = """
COPY (
  SELECT
    coalesce(complaint_id, '-') AS complaint_id, coalesce(customer_id, '-') AS customer_id,
    coalesce(channel, '-') AS channel, coalesce(severity, '-') AS severity, coalesce(category, '-') AS category,
    coalesce(replace(created_at, '-', '/'), '-') AS created_at,
    coalesce(replace(first_response_at, '-', '/'), '-') AS first_response_at,
    coalesce(replace(closed_at, '-', '/'), '-') AS closed_at,
    coalesce(contact_phone, '-') AS contact_phone, coalesce(handler_id, '-') AS handler_id,
    coalesce(translate(satisfaction, '0123456789', '{digits}'), '-') AS satisfaction,
    CASE WHEN amount IS NULL THEN '-'
         WHEN amount = '1,234.50' THEN '1,23,4.50'                 -- planted: still no number
         WHEN regexp_full_match(amount, '-?[0-9]+\\.[0-9]{2}') THEN
              (CASE WHEN amount LIKE '-%' THEN '-' ELSE '' END) || 'NT$'
              || format('{:,}', abs(CAST(split_part(amount, '.', 1) AS BIGINT))) || '.' || split_part(amount, '.', 2)
         ELSE amount END AS amount,
    coalesce(region, '-') AS region
  FROM read_csv(?, all_varchar = true, header = true)
) TO '{out}' (HEADER, DELIMITER ',')
"""


def respelled(data_dir: Path, n: int) -> Path:
    """The respelled copy of bench.py's data folder, made once per generated file."""
    target = bench.CACHE / f"n{n}-dialect"
    csv = target / "crm" / "complaints.csv"
    source = data_dir / "crm" / "complaints.csv"
    if csv.exists() and csv.stat().st_mtime >= source.stat().st_mtime:
        return target
    csv.parent.mkdir(parents=True, exist_ok=True)
    code = ("import sys, duckdb; con = duckdb.connect(); con.execute('SET enable_progress_bar = false'); "
            "con.execute(sys.argv[1], [sys.argv[2]]).fetchall()")
    sql = RESPELL.replace("{out}", str(csv)).replace("{digits}", FULL_WIDTH_DIGITS)
    subprocess.run([sys.executable, "-c", code, sql, str(source)], check=True)
    return target


def dialect_schemas() -> Path:
    schema = copy.deepcopy(bench.SCHEMA)
    schema["x-dialect"] = DIALECT
    for name, dialect in PROPERTY_DIALECTS.items():
        schema["properties"][name]["x-dialect"] = dialect
    folder = bench.CACHE / "schemas-dialect"
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    (folder / "crm" / "complaints.schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2),
                                                           encoding="utf-8")
    return folder


def _answers(result: dict) -> dict[str, tuple]:
    return {r["rule_id"]: (r["status"], r["checked"], r["violations"]) for r in result["results"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    plain = bench.generate(args.rows)
    schemas, rules = bench.write_config()
    spelled = respelled(plain, args.rows)
    spelled_schemas = dialect_schemas()
    out = Path(tempfile.mkdtemp(prefix="bench-dialect-"))
    base = [bench.checker_cli(), "check", "--rules", str(rules), "--as-of", bench.AS_OF, "--format", "json",
            "--fail-on", "never"]
    runs: dict[str, list[dict]] = {"without": [], "with": []}
    results: dict[str, dict] = {}
    for k in range(args.repeat):
        for label, data, sch in (("without", plain, schemas), ("with", spelled, spelled_schemas)):
            stdout = out / f"{label}.json"
            runs[label].append(bench.run_measured(base + ["--data", str(data), "--schemas", str(sch)], stdout))
            results[label] = json.loads(stdout.read_text(encoding="utf-8"))
            print(f"  {label} dialect run {k + 1}/{args.repeat}: {runs[label][-1]['seconds']:.2f}s", file=sys.stderr)
    if _answers(results["with"]) != _answers(results["without"]):
        differ = {k: (v, _answers(results["with"]).get(k)) for k, v in _answers(results["without"]).items()
                  if _answers(results["with"]).get(k) != v}
        sys.exit(f"the respelled export gave other answers: {differ}")
    median = {label: sorted(r["seconds"] for r in rs)[len(rs) // 2] for label, rs in runs.items()}
    rss = {label: max(r["peak_rss_mb"] for r in rs) for label, rs in runs.items()}
    ratio = median["with"] / median["without"]
    print(f"{args.rows:,} records, {len(results['with']['results'])} checks, same answers")
    print(f"checker check, ISO export, no dialect:            {median['without']:.2f} s  ({rss['without']:.0f} MB)")
    print(f"checker check, respelled export, dialect on all:   {median['with']:.2f} s  ({rss['with']:.0f} MB)")
    print(f"with / without: {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "seconds": median, "peak_rss_mb": rss, "ratio": ratio,
                                         "runs": {k: [round(r["seconds"], 3) for r in v] for k, v in runs.items()}},
                                        indent=2))


if __name__ == "__main__":
    main()
