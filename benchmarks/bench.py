"""End-to-end benchmark: `checker check` on N synthetic complaint records versus baselines.

    python benchmarks/bench.py --rows 1000000 [--repeat 3] [--json out.json] [--phases] [--spark]

Steps:

1. generate N complaint records (13 columns, ~1% planted problems) as CSV with DuckDB,
   deterministically, cached under ``benchmarks/.data/n<N>/`` (gitignored);
2. write the dataset schema and a 10-rule ruleset under ``benchmarks/.data/``;
3. time, each as its own subprocess (so peak RSS is per command, via ``os.wait4``):
   * ``checker check --data ... --format json --fail-on never``,
   * DuckDB loading the same file: ``CREATE TABLE t AS SELECT * FROM read_csv(...)``,
   * ``jsonschema`` (Draft202012Validator + FormatChecker) record by record on a slice,
     extrapolated to N;
   * with ``--spark``: ``checker check --engine spark`` (``local[*]``) and, as its baseline,
     Spark's own read of the same file (every column parsed, written to Spark's ``noop`` sink),
     both including the JVM's start;
4. print time, rows/s and peak RSS of each, and the ratios; check the result's counts.

Peak RSS is the largest of the child's own peak (``os.wait4``) and the summed RSS of its
whole process tree, sampled every 0.1 s (Spark's JVM is a grandchild of the command).

``--phases`` also runs the checker once in-process with its engine instrumented and
prints where the time goes (schema/rule compile, hashing, CSV load, __row update,
fused scan, unique, aggregate, sample fetches, serialisation).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".data"
GEN_VERSION = 2          # bump when the generator changes, to invalidate cached files
AS_OF = "2026-06-30"


def checker_cli() -> str:
    exe = Path(sys.executable).with_name("checker")
    return str(exe) if exe.exists() else "checker"


# -- 1. data ----------------------------------------------------------------------------------------

def _h(salt: int, mod: int) -> str:
    """SQL: a deterministic pseudo-random integer in [0, mod) for record i."""
    return f"CAST(hash(i * 7919 + {salt}) % {mod} AS BIGINT)"


def generation_sql(n: int, path: Path) -> str:
    p = lambda salt, per_million: f"({_h(salt, 1_000_000)} < {per_million})"  # noqa: E731  ~per_million/1e6
    span = 179 * 86400  # created_at within 2026-01-01 .. 2026-06-28
    created = f"(TIMESTAMP '2026-01-01 00:00:00' + to_seconds({_h(1, span)}))"
    sev_code = _h(2, 100)  # 0-19 high, 20-59 medium, 60-99 low
    # response delay in minutes: within the limit of the severity, except planted late ones
    resp_minutes = (f"(CASE WHEN {sev_code} < 20 "
                    f"THEN {_h(3, 23 * 60)} + CASE WHEN {p(4, 25_000)} THEN 30 * 60 ELSE 0 END "
                    f"WHEN {sev_code} < 60 THEN {_h(3, 70 * 60)} + CASE WHEN {p(4, 10_000)} THEN 80 * 60 ELSE 0 END "
                    f"ELSE {_h(3, 120 * 60)} END)")
    return f"""
COPY (
  WITH base AS (
    SELECT i,
      {created} AS created,
      {sev_code} AS sev_code,
      {resp_minutes} AS resp_minutes,
      {_h(5, 4 * 86400)} + 3600 AS close_seconds
    FROM range({n}) r(i)
  ), t AS (
    SELECT *,
      created + to_minutes(resp_minutes) AS responded,
      -- unanswered: recent low/medium complaints only
      (created >= TIMESTAMP '2026-06-26' AND sev_code >= 20 AND {p(6, 300_000)}) AS unanswered,
      -- still open: recent complaints, or a planted few that were never closed
      ((created >= TIMESTAMP '2026-06-21' AND {p(7, 500_000)}) OR {p(8, 1_000)}) AS open_,
      {p(9, 3_000)} AS closed_late
    FROM base
  )
  SELECT
    'C' || lpad(CAST(CASE WHEN i % 100003 = 50000 THEN i - 1 ELSE i END + 1 AS VARCHAR), 8, '0') AS complaint_id,
    'U' || lpad(CAST({_h(10, max(n // 5, 1))} AS VARCHAR), 7, '0') AS customer_id,
    CASE WHEN {p(11, 2_000)} THEN 'fax' WHEN {p(12, 20_000)} THEN NULL
         ELSE ['phone', 'email', 'web', 'store'][1 + {_h(13, 4)}] END AS channel,
    CASE WHEN {p(14, 1_000)} THEN 'urgent' WHEN sev_code < 20 THEN 'high' WHEN sev_code < 60 THEN 'medium'
         ELSE 'low' END AS severity,
    ['billing', 'service', 'product', 'delivery', 'other'][1 + {_h(15, 5)}] AS category,
    CASE WHEN {p(16, 500)} THEN '2026-02-30 10:00:00' ELSE strftime(created, '%Y-%m-%d %H:%M:%S') END AS created_at,
    CASE WHEN unanswered THEN NULL ELSE strftime(responded, '%Y-%m-%d %H:%M:%S') END AS first_response_at,
    CASE WHEN unanswered OR open_ THEN NULL
         ELSE strftime(responded + to_seconds(close_seconds) + CASE WHEN closed_late THEN INTERVAL 9 DAY
                                                                    ELSE INTERVAL 0 DAY END,
                       '%Y-%m-%d %H:%M:%S') END AS closed_at,
    CASE WHEN {p(17, 1_000)} THEN '0' || lpad(CAST({_h(18, 1_000_000_000)} AS VARCHAR), 9, '0')
         WHEN {p(19, 30_000)} THEN NULL
         ELSE '1' || CAST(3 + {_h(20, 7)} AS VARCHAR) || lpad(CAST({_h(18, 1_000_000_000)} AS VARCHAR), 9, '0')
         END AS contact_phone,
    CASE WHEN unanswered OR {p(21, 1_000)} THEN NULL
         ELSE 'H' || lpad(CAST({_h(22, 500)} AS VARCHAR), 4, '0') END AS handler_id,
    CASE WHEN unanswered OR open_ THEN NULL WHEN {p(23, 1_000)} THEN '6' WHEN {p(24, 500)} THEN 'n/a'
         ELSE CAST(1 + {_h(25, 5)} AS VARCHAR) END AS satisfaction,
    CASE WHEN {p(26, 1_000)} THEN 'N/A' WHEN {p(27, 500)} THEN '1,234.50' WHEN {p(28, 500)} THEN '-20.00'
         WHEN {p(29, 100_000)} THEN NULL
         ELSE printf('%.2f', {_h(30, 500_000)} / 100.0) END AS amount,
    ['north', 'south', 'east', 'west', 'central'][1 + {_h(31, 5)}] AS region
  FROM t
  ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""


def generate(n: int, force: bool = False) -> Path:
    """The data folder for N records (``<dir>/crm/complaints.csv``), generated once.

    DuckDB runs in a child process so that this process stays small: a child's peak RSS as
    ``wait4`` reports it starts from the parent's RSS at fork/exec time on Linux.
    """
    data_dir = CACHE / f"n{n}"
    csv = data_dir / "crm" / "complaints.csv"
    stamp = data_dir / "generated.json"
    if csv.exists() and stamp.exists() and not force and json.loads(stamp.read_text()).get("version") == GEN_VERSION:
        return data_dir
    csv.parent.mkdir(parents=True, exist_ok=True)
    tmp = csv.with_suffix(".csv.tmp")
    started = time.perf_counter()
    code = ("import sys, duckdb; con = duckdb.connect(':memory:', config={'preserve_insertion_order': True}); "
            "con.execute('SET enable_progress_bar = false').fetchall(); "
            "con.execute(sys.argv[1]).fetchall(); con.close()")
    subprocess.run([sys.executable, "-c", code, generation_sql(n, tmp)], check=True)
    tmp.replace(csv)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"version": GEN_VERSION, "rows": n, "seconds": round(seconds, 2),
                                 "bytes": csv.stat().st_size}))
    print(f"generated {n:,} records in {seconds:.1f}s -> {csv} ({csv.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    return data_dir


# -- 2. schema and rules ----------------------------------------------------------------------------

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "crm.complaints",
    "x-title": {"zh": "客戶投訴（基準測試）", "en": "Customer complaints (benchmark)"},
    "type": "object",
    "x-key": ["complaint_id"],
    "x-record-date": "created_at",
    "required": ["complaint_id", "customer_id", "severity", "created_at"],
    "properties": {
        "complaint_id": {"type": "string", "pattern": "^C[0-9]{8}$"},
        "customer_id": {"type": "string", "minLength": 1},
        "channel": {"type": ["string", "null"], "enum": ["phone", "email", "web", "store", None]},
        "severity": {"type": "string", "enum": ["low", "medium", "high"]},
        "category": {"type": "string", "enum": ["billing", "service", "product", "delivery", "other"]},
        "created_at": {"type": "string", "format": "date-time"},
        "first_response_at": {"type": ["string", "null"], "format": "date-time"},
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "contact_phone": {"type": ["string", "null"], "pattern": "^1[3-9][0-9]{9}$", "x-pii": True},
        "handler_id": {"type": ["string", "null"]},
        "satisfaction": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "amount": {"type": ["number", "null"], "minimum": 0},
        "region": {"type": "string", "enum": ["north", "south", "east", "west", "central"]},
    },
}

RULES = """\
ruleset: bench.complaints
version: 1.0.0
title: {zh: 投訴處理（基準測試）, en: Complaint handling (benchmark)}
effective: {from: 2026-01-01}
params:
  high_response_hours: 24
  medium_response_hours: 72
  closure_days: 7
  max_complaints_per_customer: 15
  max_amount: 5000
rules:
  - id: BM-001
    title: {zh: 高等級投訴24小時內首次響應, en: High-severity complaints get a first response within 24 hours}
    clauses: [M1.2, M4.5]
    severity: high
    dataset: crm.complaints
    where: severity = 'high'
    expect: first_response_at <= created_at + to_hours(:high_response_hours)
    message: {zh: "投訴 {{ complaint_id }} 首次響應超時", en: "Complaint {{ complaint_id }} answered late"}
  - id: BM-002
    title: {zh: 中等級投訴72小時內首次響應, en: Medium-severity complaints get a first response within 72 hours}
    clauses: [M1.2, M4.5]
    severity: medium
    dataset: crm.complaints
    where: severity = 'medium' AND created_at + to_hours(:medium_response_hours) <= :as_of
    expect: first_response_at <= created_at + to_hours(:medium_response_hours)
    message: {zh: "投訴 {{ complaint_id }} 首次響應超時", en: "Complaint {{ complaint_id }} answered late"}
  - id: BM-003
    title: {zh: 投訴須在7天內結案, en: Complaints are closed within 7 days}
    clauses: [M1.4]
    severity: medium
    dataset: crm.complaints
    where: created_at + to_days(:closure_days) <= :as_of
    expect: closed_at IS NOT NULL AND closed_at <= created_at + to_days(:closure_days)
    message:
      zh: "投訴 {{ complaint_id }} 未在 7 天內結案"
      en: "Complaint {{ complaint_id }} was not closed within 7 days"
  - id: BM-004
    title: {zh: 首次響應不早於建立時間, en: A first response is not earlier than the complaint}
    clauses: [M1.2]
    severity: low
    dataset: crm.complaints
    where: first_response_at IS NOT NULL
    expect: first_response_at >= created_at
  - id: BM-005
    title: {zh: 結案不早於首次響應, en: A complaint is not closed before its first response}
    clauses: [M1.4]
    severity: low
    dataset: crm.complaints
    where: closed_at IS NOT NULL
    expect: first_response_at IS NOT NULL AND closed_at >= first_response_at
  - id: BM-006
    title: {zh: 已響應投訴須有處理人, en: An answered complaint has a handler}
    clauses: [M1.2]
    severity: medium
    dataset: crm.complaints
    where: first_response_at IS NOT NULL
    expect: handler_id IS NOT NULL
    message: {zh: "投訴 {{ complaint_id }} 沒有處理人", en: "Complaint {{ complaint_id }} has no handler"}
  - id: BM-007
    title: {zh: 電話渠道須留聯繫電話, en: Phone complaints keep a contact number}
    clauses: [M1.1, M1.3]
    severity: low
    dataset: crm.complaints
    where: channel = 'phone'
    expect: contact_phone IS NOT NULL
  - id: BM-008
    title: {zh: 賠付金額不超過上限, en: Compensation does not exceed the limit}
    clauses: [M1.4]
    severity: high
    dataset: crm.complaints
    where: amount IS NOT NULL
    expect: amount <= :max_amount
    message:
      zh: "投訴 {{ complaint_id }} 賠付 {{ amount }} 超過上限"
      en: "Complaint {{ complaint_id }} pays {{ amount }}, above the limit"
  - id: BM-009
    title: {zh: 投訴編號不得重複, en: Complaint ids are unique}
    clauses: [M1.2]
    severity: high
    dataset: crm.complaints
    unique: [complaint_id]
    message: {zh: "投訴編號 {{ complaint_id }} 重複", en: "Complaint id {{ complaint_id }} occurs more than once"}
  - id: BM-010
    title: {zh: 同一客戶投訴過多須升級關注, en: Customers with many complaints are escalated}
    clauses: [M1.1, M1.4]
    severity: low
    dataset: crm.complaints
    group_by: [customer_id]
    expect: count(*) <= :max_complaints_per_customer
    message:
      zh: "客戶 {{ customer_id }} 共有 {{ records }} 宗投訴"
      en: "Customer {{ customer_id }} has {{ records }} complaints"
"""


def write_config() -> tuple[Path, Path]:
    schemas = CACHE / "schemas"
    (schemas / "crm").mkdir(parents=True, exist_ok=True)
    (schemas / "crm" / "complaints.schema.json").write_text(json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n",
                                                            encoding="utf-8")
    rules = CACHE / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "bench.yaml").write_text(RULES, encoding="utf-8")
    return schemas, rules


# -- 3. measuring -----------------------------------------------------------------------------------

def _tree_rss_kb(root: int) -> int:
    """Summed resident set of a process and all its descendants (from /proc), in kB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def run_measured(cmd: list[str], stdout: Path) -> dict:
    """Run one command as its own child; wall time and peak RSS (own peak via os.wait4, or the process tree's)."""
    import threading

    with stdout.open("wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode()[-4000:]}")
    return {"seconds": elapsed, "peak_rss_mb": max(usage.ru_maxrss, peak[0]) / 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


def repeated(label: str, cmd: list[str], repeat: int, stdout: Path, parse=None) -> dict:
    """Run cmd `repeat` times; median time, max peak RSS; `parse(stdout_text)` per run goes to 'parsed'."""
    runs, parsed = [], []
    for k in range(repeat):
        runs.append(run_measured(cmd, stdout))
        if parse:
            parsed.append(parse(stdout.read_text(encoding="utf-8")))
        print(f"  {label} run {k + 1}/{repeat}: {runs[-1]['seconds']:.2f}s, "
              f"{runs[-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "runs": [round(r["seconds"], 3) for r in runs],
            "parsed": parsed,
            "stdout": stdout}


DUCKDB_LOAD = """
import sys, time, duckdb
started = time.perf_counter()
con = duckdb.connect(':memory:')
con.execute("SET enable_progress_bar = false").fetchall()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]]).fetchall()
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
print(rows, time.perf_counter() - started)
"""


SPARK_LOAD = """
import logging, os, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from checker.engine.spark import session
spark, _ = session("local[*]")
frame = spark.read.options(header="true", multiLine="false").csv(sys.argv[1])
frame.write.format("noop").mode("overwrite").save()
rows = frame.count()
print(rows, time.perf_counter() - started)
spark.stop()
"""


def jsonschema_worker(csv_path: str, schema_path: str, limit: int) -> None:
    """Validate the first `limit` records one by one; prints JSON {records, seconds, invalid, errors}."""
    import csv
    import datetime as dt
    import itertools
    import re

    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    checker = FormatChecker()
    note = None
    if "date-time" not in checker.checkers:
        # jsonschema checks date-time only with rfc3339-validator installed; without it the format would be
        # silently skipped, so register an equivalent check to keep the baseline doing the same work.
        rfc3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")

        @checker.checks("date-time", raises=ValueError)
        def _date_time(value):
            if not isinstance(value, str):
                return True
            if not rfc3339.match(value):
                return False
            dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            return True
        note = "date-time checked by a fallback (rfc3339-validator not installed)"
    validator = Draft202012Validator(schema, format_checker=checker)

    def kinds(prop: dict) -> set[str]:
        t = prop.get("type", [])
        return {t} if isinstance(t, str) else set(t)

    converters = {}
    for name, prop in schema["properties"].items():
        types = kinds(prop)
        if "integer" in types:
            converters[name] = int
        elif "number" in types:
            converters[name] = float

    def convert(row: dict) -> dict:
        record = {}
        for key, value in row.items():
            if value == "":
                record[key] = None
                continue
            conv = converters.get(key)
            if conv is not None:
                # try/except, not contextlib.suppress: this loop is the timed baseline, and suppress costs more
                try:  # noqa: SIM105
                    value = conv(value)
                except ValueError:
                    pass  # stays a string: a type error, as the checker reports it
            record[key] = value
        return record

    started = time.perf_counter()
    invalid = errors = records = 0
    with open(csv_path, newline="", encoding="utf-8") as fh:
        for row in itertools.islice(csv.DictReader(fh), limit):
            records += 1
            found = sum(1 for _ in validator.iter_errors(convert(row)))
            errors += found
            invalid += bool(found)
    print(json.dumps({"records": records, "seconds": time.perf_counter() - started, "invalid": invalid,
                      "errors": errors, "note": note}))


# -- phases (in-process, instrumented) ----------------------------------------------------------------

def _category(sql: str) -> str:
    """What a statement is for, from its text (the checker writes most SQL as sqlglot trees, which spell
    keywords and functions in capitals, a few statements by hand: compared without case)."""
    s = " ".join(sql.split()).lower()
    if s.startswith("create table") and "read_csv(" in s:
        return "load: read_csv + typed conversion (CREATE TABLE)"
    if s.startswith("select line, any_value"):
        return "load: rejects lookup"
    if s.startswith("select count(*) from ds_"):
        return "load: count(*)"
    if s.startswith("select count(*), ") and "count_if(" in s:
        return "fused scan (structural + row rules)"
    if s.startswith("select __k, list(__fp)") or "unnest(__ks)" in s:
        return "fingerprints + first rows of failing checks"
    if ("create temp table" in s and "semi join" in s) or "coalesce(sum(__n), 0)" in s or "count_if(not __w)" in s:
        return "unique rules"
    if "over (partition by" in s or "__n > 1" in s:
        return "unique rules"
    if "__ok" in s:
        return "aggregate rules"
    if "__row in (" in s or "__row = any" in s:
        return "sample fetches (WHERE __row IN ...)"
    if s.startswith(("set ", "reset ", "drop ", "use ", "create view", "checkpoint", "select current_setting")):
        return "settings, views, drops"
    return "other SQL"


PHASES = """
import collections, datetime as dt, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[5])
import bench
import checker.engine.duckdb as duckdb_engine
import checker.run as run
import checker.evaluate.evaluator as evaluator
import checker.evaluate.samples as samples
times = collections.defaultdict(float); counts = collections.Counter(); slow = []

def timed(label, fn):
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            times[label] += time.perf_counter() - t; counts[label] += 1
    return wrapper

def sql_timed(fn):
    def wrapper(self, sql, *a, **k):
        t = time.perf_counter()
        try:
            return fn(self, sql, *a, **k)
        finally:
            d = time.perf_counter() - t; c = bench._category(sql)
            times[c] += d; counts[c] += 1; slow.append((d, c, ' '.join(sql.split())[:160]))
    wrapper.__name__ = fn.__name__
    return wrapper

duckdb_engine.DuckDBEngine._run = sql_timed(duckdb_engine.DuckDBEngine._run)
duckdb_engine.DuckDBEngine.fetchall = sql_timed(duckdb_engine.DuckDBEngine.fetchall)
duckdb_engine.scan_file = timed('load: sha256 (and lines) of the file', duckdb_engine.scan_file)
duckdb_engine.readers.read_header = timed('load: read header / detect', duckdb_engine.readers.read_header)
duckdb_engine.readers.detect_encoding = timed('load: read header / detect', duckdb_engine.readers.detect_encoding)
run.prepare = timed('prepare: load + compile schemas and rules', run.prepare)
evaluator.compile_structural = timed('compile structural checks', evaluator.compile_structural)
samples.Samples.record = timed('python: sample messages', samples.Samples.record)
duckdb_engine.DuckDBEngine.execute = sql_timed(duckdb_engine.DuckDBEngine.execute)
t0 = time.perf_counter()
opts = run.CheckOptions(data=Path(sys.argv[1]), rules=[Path(sys.argv[2])], schemas=Path(sys.argv[3]),
                      as_of=dt.date.fromisoformat(sys.argv[4]), fail_on='never',
                      memory_limit='1GB')  # as the CLI's default
result = run.check(opts)
t1 = time.perf_counter()
text = result.to_json()
times['serialise result (to_json)'] += time.perf_counter() - t1; counts['serialise result (to_json)'] += 1
total = time.perf_counter() - t0
print(json.dumps({'total': total, 'check': t1 - t0, 'phases': times, 'counts': counts,
                  'slowest': sorted(slow, reverse=True)[:8]}))
"""


def phases(data_dir: Path, rules: Path, schemas: Path) -> dict:
    import_t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import checker.run, checker.cli"], cwd=ROOT, check=True)
    imports = time.perf_counter() - import_t
    proc = subprocess.run([sys.executable, "-c", PHASES, str(data_dir), str(rules), str(schemas), AS_OF,
                           str(BENCH)], cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(proc.stderr[-4000:])
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["python start + imports (separate process)"] = imports
    return info


def print_phases(info: dict) -> None:
    total = info["total"]
    print(f"\nwhere the checker's time goes (one in-process run, {total:.2f}s; "
          f"plus {info['python start + imports (separate process)']:.2f}s interpreter start + imports):")
    accounted = 0.0
    for label, secs in sorted(info["phases"].items(), key=lambda kv: -kv[1]):
        if label == "python: sample messages":
            continue  # nested inside the sample SQL; shown separately below
        accounted += secs
        print(f"  {secs:8.2f}s {100 * secs / total:5.1f}%  {label}  (x{info['counts'][label]})")
    if "python: sample messages" in info["phases"]:
        print(f"  (of which sample messages incl. their fetches: {info['phases']['python: sample messages']:.2f}s)")
    print(f"  {total - accounted:8.2f}s {100 * (total - accounted) / total:5.1f}%  rest (python between queries)")
    print("  slowest statements:")
    for secs, _cat, sql in info["slowest"][:5]:
        print(f"    {secs:7.2f}s  {sql[:110]}")


# -- main ---------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the median time is reported")
    ap.add_argument("--slice", type=int, default=20_000, help="records validated by jsonschema (extrapolated)")
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    ap.add_argument("--phases", action="store_true", help="also break the checker's time down by phase")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the cached data")
    ap.add_argument("--spark", action="store_true", help="also run --engine spark and Spark's own load")
    ap.add_argument("--_jsonschema-worker", nargs=3, dest="worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        jsonschema_worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return

    n = args.rows
    data_dir = generate(n, args.regenerate)
    schemas, rules = write_config()
    csv = data_dir / "crm" / "complaints.csv"
    size_mb = csv.stat().st_size / 1e6
    out = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"{n:,} records, {size_mb:.0f} MB CSV, {os.cpu_count()} CPUs, repeat {args.repeat}", file=sys.stderr)

    cmd = [checker_cli(), "check", "--data", str(data_dir), "--rules", str(rules), "--schemas", str(schemas),
           "--as-of", AS_OF, "--format", "json", "--fail-on", "never"]
    chk = repeated("checker check", cmd, args.repeat, out / "result.json")
    result = json.loads(chk["stdout"].read_text(encoding="utf-8"))

    load = repeated("duckdb load", [sys.executable, "-c", DUCKDB_LOAD, str(csv)], args.repeat, out / "load.txt",
                    parse=lambda text: text.split())
    loaded_rows = int(load["parsed"][-1][0])
    load["inner_seconds"] = statistics.median(float(p[1]) for p in load["parsed"])

    spark_chk = spark_load = None
    if args.spark:
        spark_chk = repeated("checker check --engine spark", cmd + ["--engine", "spark"], args.repeat,
                             out / "spark-result.json")
        spark_result = json.loads(spark_chk["stdout"].read_text(encoding="utf-8"))
        spark_load = repeated("spark load", [sys.executable, "-c", SPARK_LOAD, str(csv), str(ROOT)], args.repeat,
                              out / "spark-load.txt", parse=lambda text: text.split())
        spark_load["inner_seconds"] = statistics.median(float(p[1]) for p in spark_load["parsed"])

    js_cmd = [sys.executable, str(Path(__file__).resolve()), "--_jsonschema-worker", str(csv),
              str(schemas / "crm" / "complaints.schema.json"), str(min(args.slice, n))]
    js = repeated("jsonschema slice", js_cmd, args.repeat, out / "js.json", parse=json.loads)
    js_info = js["parsed"][-1]
    js["seconds_slice"] = statistics.median(p["seconds"] for p in js["parsed"])
    per_record = js["seconds_slice"] / js_info["records"]
    js["seconds"] = per_record * n  # extrapolated: validation work only, no interpreter start

    # -- sanity ------------------------------------------------------------------------------------
    problems = []
    if result["inputs"][0]["rows"] != n:
        problems.append(f"result inputs[0].rows = {result['inputs'][0]['rows']}, expected {n}")
    if loaded_rows != n:
        problems.append(f"duckdb loaded {loaded_rows} rows, expected {n}")
    by_rule = {r["rule_id"]: r for r in result["results"]}
    for r in result["results"]:
        if r["status"] == "error":
            problems.append(f"{r['rule_id']} errored: {r.get('error')}")
        if r["kind"] in ("row", "schema", "unique") and r["checked"] > n:
            problems.append(f"{r['rule_id']} checked {r['checked']} > {n}")
    expected_dups = 2 * (0 if n <= 50_000 else (n - 1 - 50_000) // 100_003 + 1)  # see complaint_id in the generator
    if "BM-009" in by_rule and by_rule["BM-009"]["violations"] != expected_dups:
        problems.append(f"BM-009 found {by_rule['BM-009']['violations']} duplicate records, planted {expected_dups}")

    if spark_chk is not None:
        same = lambda r: {x["rule_id"]: (x["status"], x["checked"], x["violations"]) for x in r["results"]}  # noqa: E731
        if same(spark_result) != same(result):
            problems.append("the Spark engine's counts differ from DuckDB's")
        if int(spark_load["parsed"][-1][0]) != n:
            problems.append(f"spark loaded {spark_load['parsed'][-1][0]} rows, expected {n}")

    # -- table -------------------------------------------------------------------------------------
    rows = [("checker check (end to end)", chk["seconds"], chk["peak_rss_mb"], chk["runs"]),
            ("duckdb load read_csv (subprocess)", load["seconds"], load["peak_rss_mb"], load["runs"]),
            (f"jsonschema per record (x{n / js_info['records']:.0f} from {js_info['records']:,})", js["seconds"],
             js["peak_rss_mb"], None)]
    if spark_chk is not None:
        rows[2:2] = [("checker check --engine spark (local[*])", spark_chk["seconds"], spark_chk["peak_rss_mb"],
                      spark_chk["runs"]),
                     ("spark load csv, noop sink (subprocess)", spark_load["seconds"], spark_load["peak_rss_mb"],
                      spark_load["runs"])]
    print(f"\n{n:,} records, {size_mb:.0f} MB CSV, {os.cpu_count()} CPUs, median of {args.repeat}\n")
    print(f"{'command':<46} {'time (s)':>9} {'rows/s':>12} {'peak RSS (MB)':>14}")
    for label, secs, rss, runs in rows:
        print(f"{label:<46} {secs:>9.2f} {n / secs:>12,.0f} {rss:>14.0f}" + (f"   runs {runs}" if runs else ""))
    ratio_load = chk["seconds"] / load["seconds"]
    ratio_js = js["seconds"] / chk["seconds"]
    print(f"\nduckdb load inside its process: {load['inner_seconds']:.2f}s (the rest is interpreter start + import)")
    above = "  ** above goal **" if ratio_load > 1.5 else ""
    print(f"checker / duckdb-load:            {ratio_load:.2f}  (goal <= 1.5){above}")
    print(f"jsonschema-extrapolated / checker: {ratio_js:.1f}")
    if spark_chk is not None:
        print(f"checker spark / spark-load:       {spark_chk['seconds'] / spark_load['seconds']:.2f}")
        print(f"checker spark / checker duckdb:   {spark_chk['seconds'] / chk['seconds']:.2f}")
    if js_info.get("note"):
        print(f"note: jsonschema {js_info['note']}")
    print(f"jsonschema slice: {js_info['invalid']:,} of {js_info['records']:,} records invalid "
          f"({js_info['errors']:,} errors)")
    s = result["summary"]
    print(f"\nchecker: {s['rules']} results, {s['failed']} failed, {s['errored']} errored, "
          f"{s['violations']:,} violations; result run.duration_ms = {result['run']['duration_ms']:,}")
    for r in result["results"]:
        print(f"  {r['rule_id']:<44} {r['status']:<6} {r['violations']:>8,} of {r['checked']:>10,}")
    print("\nsanity: " + ("ok (inputs[0].rows == N, no errored rules, planted duplicates found)"
                          if not problems else "; ".join(problems)))

    info = phases(data_dir, rules, schemas) if args.phases else None
    if info:
        print_phases(info)

    if args.json:
        figures = {
            "rows": n, "csv_mb": round(size_mb, 1), "cpus": os.cpu_count(), "repeat": args.repeat,
            "checker": {k: v for k, v in chk.items() if k not in ("stdout", "parsed")},
            "duckdb_load": {k: v for k, v in load.items() if k not in ("stdout", "parsed")},
            "jsonschema": {"seconds_extrapolated": js["seconds"], "seconds_slice": js["seconds_slice"],
                           "slice": js_info["records"], "peak_rss_mb_slice": js["peak_rss_mb"],
                           "invalid_in_slice": js_info["invalid"], "note": js_info.get("note")},
            "ratios": {"checker_over_duckdb_load": ratio_load, "jsonschema_over_checker": ratio_js,
                       **({"spark_over_spark_load": spark_chk["seconds"] / spark_load["seconds"],
                           "spark_over_duckdb_checker": spark_chk["seconds"] / chk["seconds"]} if spark_chk else {})},
            **({"checker_spark": {k: v for k, v in spark_chk.items() if k not in ("stdout", "parsed")},
                "spark_load": {k: v for k, v in spark_load.items() if k not in ("stdout", "parsed")}}
               if spark_chk else {}),
            "violations": s["violations"],
            "results": {r["rule_id"]: {"status": r["status"], "violations": r["violations"],
                                       "checked": r["checked"]} for r in result["results"]},
            "sanity_problems": problems,
            "phases": info,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
