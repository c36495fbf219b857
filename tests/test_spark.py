"""The Spark engine gives the DuckDB engine's answers.

* The rewrite rules of :mod:`checker.engine.spark_sql`, checked without Spark (translations)
  and with both real engines on the same values (semantics).
* Every golden ``check`` case under tests/cases, run on both engines through the real
  command line: same exit code, statuses, counts, samples (rows, keys, messages,
  fingerprints), every violation's fingerprint, waivers, warnings and inputs.
* The bundled rules on ``checker sample`` data: same result and the same ``--violations-out``.
* ``lint --engine spark`` refuses what Spark cannot run, at the rule's line.

Spark runs as ``local[2]`` started once for the module (UI off, warehouse in a temp dir).
Without PySpark these tests skip, unless CHECKER_REQUIRE_SPARK=1 (as `.ci/run` sets):
then a missing PySpark is a failure, not a skip.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from ruamel.yaml import YAML

from checker.engine.spark_sql import SparkUnsupported, java_date_format, java_regex, to_spark
from checker.sql.values import _int_from_text

CASES = Path(__file__).parent / "cases"
REQUIRED = os.environ.get("CHECKER_REQUIRE_SPARK") == "1"


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if REQUIRED:
            pytest.fail("CHECKER_REQUIRE_SPARK=1 but PySpark is not installed (pip install '.[spark]')")
        pytest.skip("PySpark not installed (pip install '.[spark]')")
    from checker.engine.spark import session

    spark, owned = session("local[2]", local_dir=str(tmp_path_factory.mktemp("spark-local")))
    yield spark
    if owned:
        spark.stop()


# -- translations (no Spark needed) --------------------------------------------------------------------

@pytest.mark.parametrize("re2, java", [
    ("a.c", "a.c"),                             # under (?d) Java's dot refuses only \n, as RE2's
    ("^ab$", "^ab\\z"),                         # Java's $ also matches before a final newline
    ("\\s+", "[\\t\\n\\f\\r ]+"),               # Java's \s also matches \x0B
    ("(?P<year>[0-9]{4})", "(?<year>[0-9]{4})"),
    ("[[:alpha:]_]", "[\\p{Alpha}_]"),
    ("[a[b]", "[a\\[b]"),                       # '[' in a class is a literal in RE2, a union in Java
    ("[a&&b]", "[a&\\&b]"),                     # '&&' is an intersection in Java
    ("[]a]", "[]a]"),
    ("\\x{4E2D}\\p{Han}\\p{^Greek}\\pL", "\\x{4E2D}\\p{IsHan}\\P{IsGreek}\\pL"),  # scripts are Is<name> in Java
    ("\\Q$.\\E$", "\\Q$.\\E\\z"),
    ("a{b}x{2}", "a\\{b}x{2}"),                   # a brace that starts no quantifier is literal in RE2
    ("\\101\\0", "\\x{41}\\x{0}"),              # octal in RE2, a backreference in Java
])
def test_regex_translation(re2, java):
    assert java_regex(re2) == "(?d)" + java


def test_regex_without_java_equivalent_is_refused():
    with pytest.raises(SparkUnsupported) as err:
        java_regex("a\\Cb")
    assert "byte" in err.value.message.render("en")


@pytest.mark.parametrize("fmt, java", [
    ("%Y-%m-%d", "yyyy-MM-dd"), ("%Y-%m-%d %H:%M:%S", "yyyy-MM-dd HH:mm:ss"),
    ("%d/%m/%y", "dd/MM/yy"), ("%Y年%m月", "yyyy'年'MM'月'"), ("%H:%M %p", "HH:mm a"), ("100%%", "100%"),
])
def test_date_format_translation(fmt, java):
    assert java_date_format(fmt) == java


def test_unknown_format_code_is_refused():
    with pytest.raises(SparkUnsupported, match="%U"):
        java_date_format("%Y week %U")


def test_date_diff_becomes_a_difference_of_truncations():
    sql = to_spark("SELECT date_diff('month', a, b) FROM t")
    assert "TIMESTAMPDIFF(MONTH, DATE_TRUNC('MONTH', a), DATE_TRUNC('MONTH', b))" in sql


def test_lint_engine_spark_refuses_what_spark_cannot_run(cli, tmp_path):
    rules = tmp_path / "rules.yaml"
    rule = ("  - id: {id}\n    title: {{zh: 規則, en: rule}}\n    severity: low\n    clauses: [M1.1]\n"
            "    dataset: crm.complaints\n    expect: {expect}\n")
    rules.write_text(
        "ruleset: spark.portability\nversion: 1.0.0\ntitle: {zh: 可攜, en: portability}\n"
        "effective: {from: 2024-01-01}\nrules:\n"
        + rule.format(id="P-001", expect="hash(complaint_id) <> 0")
        + rule.format(id="P-002", expect="\"regexp_replace(channel, 'a', 'b') <> ''\"")
        + rule.format(id="P-003", expect="\"regexp_replace(channel, 'a', 'b', 'g') <> ''\""),
        encoding="utf-8")
    plain = cli("lint", str(rules))
    assert "X207" not in plain.stdout
    run = cli("lint", "--engine", "spark", str(rules))
    assert run.exit_code == 1, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if "X207" in line]
    assert len(lines) == 2, run.stdout
    assert lines[0].startswith(f"{rules}:11:13: X207 rule P-001: expect: cannot run on Spark: hash()")
    assert lines[1].startswith(f"{rules}:17:13: X207 rule P-002: expect: cannot run on Spark: regexp_replace")
    assert "'g'" in lines[1]


def test_bundled_rules_run_on_spark(cli):
    run = cli("lint", "--engine", "spark")
    assert run.exit_code == 0, run.stdout
    assert "0 errors" in run.stderr


# -- semantics on both engines -------------------------------------------------------------------------

#: (expression over a, b; rows of (a, b)) — each evaluated by DuckDB and by Spark on the same rows.
SEMANTICS = [
    ("date_diff('day', a, b)", [("TIMESTAMP '2024-01-01 23:59:00'", "TIMESTAMP '2024-01-02 00:01:00'"),
                                ("TIMESTAMP '2024-01-01 00:00:00'", "TIMESTAMP '2024-01-03 23:00:00'")]),
    ("date_diff('month', a, b)", [("DATE '2024-01-31'", "DATE '2024-02-01'"),
                                  ("DATE '2024-03-01'", "DATE '2024-01-15'")]),
    ("date_diff('year', a, b)", [("DATE '2023-12-31'", "DATE '2024-01-01'")]),
    ("date_diff('hour', a, b)", [("TIMESTAMP '2024-01-01 10:59:00'", "TIMESTAMP '2024-01-01 11:00:00'")]),
    ("date_diff('week', a, b)", [("DATE '2024-01-07'", "DATE '2024-01-08'"), ("DATE '2024-01-08'", "DATE '2024-01-14'"),
                                 ("TIMESTAMP '2024-01-07 12:00:00'", "TIMESTAMP '2024-01-14 11:00:00'"),
                                 ("DATE '2024-01-14'", "DATE '2024-01-08'"),
                                 ("DATE '2024-01-15'", "DATE '2024-01-08'")]),
    ("a / b", [("1", "0"), ("-1", "0"), ("0", "0"), ("7", "2"), ("CAST(NULL AS INTEGER)", "0"),
               ("CAST(1.5 AS DECIMAL(18,2))", "CAST(0 AS DECIMAL(18,2))")]),
    ("regexp_matches(a, 'x.y')", [("'x\ry'", "''"), ("'x\ny'", "''")]),
    ("regexp_full_match(a, 'ab')", [("'ab'", "''"), ("'ab\n'", "''")]),
    ("regexp_matches(a, '^\\s$')", [("chr(11)", "''"), ("' '", "''")]),
    ("regexp_extract(a, '([0-9]+)-([0-9]+)')", [("'tel 12-34'", "''")]),
    ("regexp_matches(a, 'ABC', 'i')", [("'xabcx'", "''")]),
    ("regexp_replace(a, '([a-z])', '<\\1>', 'g')", [("'a1b'", "''")]),
    ("dayofweek(a)", [("DATE '2024-01-07'", "NULL"), ("DATE '2024-01-08'", "NULL")]),
    ("isodow(a)", [("DATE '2024-01-07'", "NULL"), ("DATE '2024-01-08'", "NULL")]),
    ("date_part('dow', a)", [("DATE '2024-01-07'", "NULL")]),
    ("week(a)", [("DATE '2024-01-01'", "NULL"), ("DATE '2021-01-03'", "NULL")]),
    ("a LIKE 'x\\_%'", [("'x\\_1'", "''"), ("'x_1'", "''")]),
    ("concat(a, b)", [("'x'", "CAST(NULL AS VARCHAR)")]),
    ("strftime(a, '%Y年%m月%d日 %H:%M')", [("TIMESTAMP '2024-03-05 07:08:09'", "NULL")]),
    ("try_strptime(a, '%Y-%m-%d')", [("'2024-02-30'", "''"), ("'2024-02-29'", "''")]),
    ("a + to_hours(b)", [("TIMESTAMP '2024-01-01 23:00:00'", "2")]),
    ("a + to_days(b)", [("DATE '2024-02-28'", "2")]),
    ("length(a)", [("'中文字'", "''")]),
    ("round(a, 1)", [("CAST(2.25 AS DECIMAL(18,2))", "''")]),
    ("strpos(a, b)", [("'abcabc'", "'c'")]),
    ("last_day(a)", [("DATE '2024-02-10'", "NULL")]),
    ("coalesce(a, b) IS DISTINCT FROM b", [("NULL", "1"), ("2", "1")]),
    ("floor(a)", [("CAST(1e20 AS DOUBLE)", "NULL"), ("CAST('NaN' AS DOUBLE)", "NULL"), ("CAST(-2.5 AS DOUBLE)", "NULL"),
                  ("CAST(-2.5 AS DECIMAL(18,2))", "NULL")]),
    ("ceil(a)", [("CAST('Infinity' AS DOUBLE)", "NULL"), ("CAST(2.1 AS DOUBLE)", "NULL")]),
    ("trim(a)", [("'\u3000x\u00a0'", "''"), ("' x '", "''"), ("'\tx\u2028'", "''")]),
    ("ltrim(a) || '|' || rtrim(a)", [("'\u2003x\u2003'", "''")]),
    ("a + INTERVAL (b) DAY", [("DATE '2024-02-28'", "2")]),
    ("regexp_matches(a, '^\\p{Han}+$')", [("'中文'", "''"), ("'中x'", "''")]),
    ("regexp_matches(a, '\\P{Han}')", [("'中文'", "''"), ("'中x'", "''")]),
    ("regexp_matches(a, 'a{b}')", [("'xa{b}'", "''")]),
    ("regexp_matches(a, '^\\101$')", [("'A'", "''")]),
    ("regexp_matches(a, '(?s)a.b')", [("'a' || chr(10) || 'b'", "''")]),
    ("regexp_matches(a, 'a.b')", [("'a' || chr(13) || 'b'", "''"), ("'a\u2028b'", "''")]),
    ("regexp_matches(a, 'é', 'i')", [("'É'", "''")]),
    ("regexp_matches(a, '\\bfoo\\b')", [("'中foo中'", "''"), ("'a foo b'", "''"), ("'afoo'", "''")]),
    ("regexp_matches(a, 'o\\B')", [("'foo中'", "''"), ("'fo'", "''")]),
    ("date_part('second', a)", [("TIMESTAMP '2024-01-01 10:00:05.5'", "NULL")]),
]
SEMANTICS += [(_int_from_text("a"), [(f"'{v}'", "''") for v in ("12", "12.0", "1e1", "1e20", "9.3e18", "1_000",
                                                                 "0x10", " 7 ", "1.5", "-3")])]


def _rows_sql(rows) -> str:
    return " UNION ALL ".join(f"SELECT {i} AS i, {a} AS a, {b} AS b" for i, (a, b) in enumerate(rows))


def _same(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
        return float(x) == float(y)
    return x == y


@pytest.mark.parametrize("expr, rows", SEMANTICS, ids=[e for e, _ in SEMANTICS])
def test_same_value_on_both_engines(spark, expr, rows):
    sql = f"SELECT i, {expr} AS v FROM ({_rows_sql(rows)}) ORDER BY i"
    want = duckdb.connect().execute("SET TimeZone = 'UTC'").execute(sql).fetchall()
    got = [tuple(r) for r in spark.sql(to_spark(sql)).collect()]
    assert len(want) == len(got) and all(_same(w[1], g[1]) for w, g in zip(want, got, strict=True)), \
        f"{expr}\nDuckDB: {want}\nSpark:  {got}\nSpark SQL: {to_spark(sql)}"


# -- golden cases on both engines ------------------------------------------------------------------------

def _check_cases():
    for path in sorted(CASES.glob("*/*/case.yaml")):
        spec = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        if spec["args"][0] == "check":
            yield pytest.param(path.parent, [str(a) for a in spec["args"]],
                               id=f"{path.parent.parent.name}/{path.parent.name}")


def _comparable(result: dict) -> dict:
    """A result without what may differ between runs (timing) or engines (the engine's name, rule SQL)."""
    out = dict(result)
    out.pop("run")
    out["results"] = [{k: v for k, v in r.items() if k != "sql"} for r in result["results"]]
    return out


@pytest.mark.parametrize("case, args", list(_check_cases()))
def test_golden_case_same_on_spark(spark, cli, tmp_path, case, args):
    duck = cli(*args, "--json", str(tmp_path / "duckdb.json"), cwd=case)
    on_spark = cli(*args, "--engine", "spark", "--json", str(tmp_path / "spark.json"), cwd=case)
    assert on_spark.exit_code == duck.exit_code, on_spark.stdout + on_spark.stderr
    assert "Traceback" not in on_spark.stdout + on_spark.stderr
    if duck.result is None:
        assert on_spark.result is None
        assert on_spark.stderr == duck.stderr
        return
    assert on_spark.result["run"]["engine"] == "spark"
    assert _comparable(on_spark.result) == _comparable(duck.result)
    assert on_spark.stdout == duck.stdout


def test_bundled_rules_on_sample_data_same_on_spark(spark, cli, tmp_path):
    data = tmp_path / "data"
    assert cli("sample", "--out", str(data), "--rows", "1000", "--seed", "3").exit_code == 0
    common = ["check", "--data", str(data), "--as-of", "2026-06-30", "--fail-on", "never"]
    duck = cli(*common, "--json", str(tmp_path / "d.json"), "--violations-out", str(tmp_path / "d.csv"))
    on_spark = cli(*common, "--engine", "spark", "--json", str(tmp_path / "s.json"),
                   "--violations-out", str(tmp_path / "s.csv"))
    assert duck.exit_code == on_spark.exit_code == 0, on_spark.stderr
    assert duck.result["summary"]["violations"] > 0
    assert _comparable(on_spark.result) == _comparable(duck.result)

    def rows(path: Path) -> list[tuple]:
        with path.open(encoding="utf-8", newline="") as fh:
            return sorted(tuple(r.values()) for r in csv.DictReader(fh))

    assert rows(tmp_path / "s.csv") == rows(tmp_path / "d.csv")
    assert len(rows(tmp_path / "d.csv")) == duck.result["summary"]["violations"]


def test_command_line_engine_spark(spark, tmp_path):
    """A real `checker check --engine spark` process: its own Spark, exit code, and a quiet stdout."""
    case = CASES / "kinds" / "row"
    spec = YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))
    args = [str(a) for a in spec["args"]]
    env = dict(os.environ, CHECKER_SPARK_MASTER="local[1]")
    bad = subprocess.run([sys.executable, "-m", "checker.cli", *args, "--engine", "spark", "--spark-conf", "oops"],
                         cwd=case, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert bad.returncode == 2 and "KEY=VALUE" in bad.stderr
    proc = subprocess.run([sys.executable, "-m", "checker.cli", *args, "--engine", "spark", "--format", "json",
                           "--spark-conf", "spark.sql.shuffle.partitions=2"],
                          cwd=case, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == spec["exit"], proc.stderr
    result = json.loads(proc.stdout)
    assert result["run"]["engine"] == "spark"
    assert result["summary"]["violations"] > 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_data_lake_path_in_datasets_yaml(spark, cli, tmp_path, fmt):
    """datasets.yaml may name a URL (file:// here, s3a:// or hdfs:// on a cluster): Spark reads it, DuckDB refuses."""
    case = CASES / "kinds" / "row"
    spec = YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))
    args = [str(a) for a in spec["args"]]
    data_at = args.index("--data") + 1
    local = case / args[data_at]
    lake = tmp_path / "lake"
    lake.mkdir()
    source = lake / f"complaints.{fmt}"
    con = duckdb.connect()
    relation = f"read_csv('{local / 'crm' / 'complaints.csv'}', all_varchar = true)"
    if fmt == "csv":
        source.write_bytes((local / "crm" / "complaints.csv").read_bytes())
    elif fmt == "parquet":
        con.execute(f"COPY (SELECT * FROM {relation}) TO '{source}' (FORMAT parquet)")
    else:
        con.execute(f"COPY (SELECT * FROM {relation}) TO '{source}' (FORMAT json)")
    data = tmp_path / "data"
    data.mkdir()
    (data / "datasets.yaml").write_text(f'crm.complaints: {{path: "{source.as_uri()}"}}\n', encoding="utf-8")
    lake_args = [str(case / a) if i > 0 and args[i - 1] in ("--rules", "--schemas") else a
                 for i, a in enumerate(args)]
    lake_args[data_at] = str(data)

    refused = cli(*lake_args)
    assert refused.exit_code == 2 and "D410" in refused.stderr and "--engine spark" in refused.stderr

    on_lake = cli(*lake_args, "--engine", "spark", "--json", str(tmp_path / "lake.json"))
    in_folder = cli(*args, "--engine", "spark", "--json", str(tmp_path / "folder.json"), cwd=case)
    assert on_lake.exit_code == in_folder.exit_code, on_lake.stderr
    assert on_lake.result["inputs"][0]["path"] == source.as_uri()
    assert on_lake.result["inputs"][0]["rows"] == in_folder.result["inputs"][0]["rows"]
    assert any(w["code"] == "D408" for w in on_lake.result["warnings"])
    view = lambda r: [(x["rule_id"], x["status"], x["violations"], [s["row"] for s in x["samples"]])  # noqa: E731
                      for x in r["results"] if not x["rule_id"].startswith("schema:")]
    assert view(on_lake.result) == view(in_folder.result)


EDGE_CSV = ("complaint_id,customer_id,severity,created_at,first_response_at,closed_at,contact_phone\r\n"
            "C000001,K1,high,2026-03-01 09:00:00,2026-03-01 10:00:00,2026-03-02 09:00:00,13812345678\r\n"
            "\r\n"
            "C000002,\"K,1\",high,2026-03-01 09:00:00,2026-03-03T10:00:00+08:00,,\r\n"
            "C000003,K2,low,2026-02-30 09:00:00,,,\"\"\r\n"
            "C000004,K2,high,2026-03-01 09:00:00\r\n"
            "C000005,K3,medium,2026-03-01 09:00:00,,,,,extra\r\n"
            "C000006,K3,urgent,not a date,2026-03-09 09:00:00,2026-03-10 09:00:00,139\r\n")
EDGE_JSONL = ("\ufeff{\"complaint_id\": \"C000001\", \"customer_id\": \"K1\", \"severity\": \"high\", "
              "\"created_at\": \"2026-03-01 09:00:00\", \"first_response_at\": \"2026-03-01 10:00:00\"}\n"
              "\n"
              "{\"complaint_id\": 2, \"customer_id\": null, \"severity\": \"high\", "
              "\"created_at\": \"2026-03-01 09:00:00\"}\n"
              "[1, 2]\n"
              "{not json\n"
              "{\"complaint_id\": \"C000005\", \"severity\": \"low\", \"created_at\": \"2026-03-01T09:00:00Z\", "
              "\"Severity\": \"x\", \"unknown\": 1}\n")


@pytest.mark.parametrize("fmt, text", [("csv", EDGE_CSV), ("jsonl", EDGE_JSONL)])
def test_awkward_exports_same_on_spark(spark, cli, tmp_path, fmt, text):
    """CRLF, blank lines, quoted delimiters, ragged rows, bad values, a BOM, non-objects, unknown keys."""
    case = CASES / "kinds" / "row"
    data = tmp_path / "data" / "crm"
    data.mkdir(parents=True)
    (data / f"complaints.{fmt}").write_text(text, encoding="utf-8", newline="")
    args = ["check", "--data", str(tmp_path / "data"), "--rules", str(case / "rules"),
            "--schemas", str(CASES / "_shared" / "schemas"), "--as-of", "2026-06-30", "--allow-missing"]
    duck = cli(*args, "--json", str(tmp_path / "d.json"))
    on_spark = cli(*args, "--engine", "spark", "--json", str(tmp_path / "s.json"))
    assert duck.exit_code == on_spark.exit_code == 1, on_spark.stderr
    assert duck.result["summary"]["violations"] >= 5
    assert _comparable(on_spark.result) == _comparable(duck.result)


def test_spark_that_cannot_start_is_a_usage_error(spark, tmp_path):
    """No Java (JAVA_HOME pointing nowhere): exit 2 with D407 and what to check, not a traceback."""
    case = CASES / "kinds" / "row"
    spec = YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))
    env = dict(os.environ, JAVA_HOME=str(tmp_path / "no-java"))
    proc = subprocess.run([sys.executable, "-m", "checker.cli", *[str(a) for a in spec["args"]], "--engine", "spark"],
                          cwd=case, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "D407 Spark could not start" in proc.stderr and "Java 17" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_aggregates_skip_nulls_on_both_engines(spark):
    sql = ("SELECT any_value(a), arg_min(a, b), count(a), median(b) FROM (SELECT NULL AS a, 1 AS b UNION ALL "
           "SELECT 'x' AS a, 2 AS b UNION ALL SELECT 'y' AS a, 3 AS b)")
    want = duckdb.connect().execute(sql).fetchall()[0]
    got = tuple(spark.sql(to_spark(sql)).collect()[0])
    assert got[0] in ("x", "y") and want[0] in ("x", "y")
    assert got[2:] == want[2:]


@pytest.mark.parametrize("expect, why", [
    ("CAST(closed_at AS DATE) - CAST(created_at AS DATE) <= 15", None),    # compiled as date_diff('day', …)
    # a dataset rule (an aggregate without group_by); Spark has no median of dates
    ("median(CAST(created_at AS DATE)) IS NOT NULL", "median()"),
    ("substr(complaint_id, 0, 2) = 'C'", "substr()"),
    ("date_diff('day', created_at, closed_at) <= 15 AND substr(complaint_id, 1, 1) = 'C'", None),
])
def test_lint_engine_spark_knows_the_types(cli, tmp_path, expect, why):
    """Differences that depend on the columns' types are found with the schema's types (sqlglot annotate_types)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("ruleset: spark.typed\nversion: 1.0.0\ntitle: {zh: 型別, en: typed}\n"
                     "effective: {from: 2024-01-01}\nrules:\n  - id: T-001\n    title: {zh: 規則, en: rule}\n"
                     "    severity: low\n    clauses: [M1.1]\n    dataset: crm.complaints\n"
                     f"    expect: \"{expect}\"\n", encoding="utf-8")
    run = cli("lint", "--engine", "spark", "--schemas", str(CASES / "_shared" / "schemas"), str(rules))
    found = [line for line in run.stdout.splitlines() if "X207" in line]
    if why is None:
        assert not found and run.exit_code == 0, run.stdout
    else:
        assert len(found) == 1 and why in found[0] and ":11:13:" in found[0], run.stdout


def test_date_minus_date_means_days_on_both_engines(spark, cli, tmp_path):
    """`date - date` is compiled as date_diff('day', …) (typed from the schema), so Spark counts days too."""
    case = CASES / "kinds" / "row"
    rules = tmp_path / "rules.yaml"
    rules.write_text("ruleset: spark.dates\nversion: 1.0.0\ntitle: {zh: 日期, en: dates}\n"
                     "effective: {from: 2024-01-01}\nrules:\n  - id: D-001\n    title: {zh: 規則, en: rule}\n"
                     "    severity: low\n    clauses: [M1.1]\n    dataset: crm.complaints\n"
                     "    where: closed_at IS NOT NULL\n"
                     "    expect: \"CAST(closed_at AS DATE) - CAST(created_at AS DATE) <= 2\"\n", encoding="utf-8")
    args = ["check", "--data", str(case / "data"), "--rules", str(rules), "--schemas",
            str(CASES / "_shared" / "schemas"), "--as-of", "2026-06-30", "--allow-missing"]
    duck = cli(*args, "--json", str(tmp_path / "d.json"))
    on_spark = cli(*args, "--engine", "spark", "--json", str(tmp_path / "s.json"))
    d = {r["rule_id"]: r for r in duck.result["results"]}["D-001"]
    s = {r["rule_id"]: r for r in on_spark.result["results"]}["D-001"]
    assert d["status"] == s["status"] == "fail" and d["violations"] == s["violations"] == 2
    assert [x["row"] for x in s["samples"]] == [x["row"] for x in d["samples"]] == [2, 5]
    assert "DATE_DIFF('DAY'" in d["sql"]


def test_integer_sums_do_not_overflow_on_spark(spark, cli, tmp_path):
    """sum() of an integer column is HUGEINT on DuckDB; compiled so, Spark sums as DECIMAL(38, 0), not BIGINT."""
    data = tmp_path / "data" / "crm"
    data.mkdir(parents=True)
    (data / "complaints.csv").write_text(
        "complaint_id,customer_id,severity,created_at,satisfaction\n"
        "C1,K1,high,2026-03-01 09:00:00,9223372036854775807\nC2,K1,high,2026-03-01 09:00:00,1\n"
        "C3,K2,low,2026-03-01 09:00:00,5\n", encoding="utf-8")
    schemas = tmp_path / "schemas" / "crm"
    schemas.mkdir(parents=True)
    schema = json.loads((CASES / "_shared" / "schemas" / "crm" / "complaints.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["satisfaction"] = {"type": "integer"}
    (schemas / "complaints.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("ruleset: spark.sums\nversion: 1.0.0\ntitle: {zh: 合計, en: sums}\n"
                     "effective: {from: 2024-01-01}\nrules:\n  - id: S-001\n    title: {zh: 規則, en: rule}\n"
                     "    severity: low\n    clauses: [M1.1]\n    dataset: crm.complaints\n"
                     "    group_by: [customer_id]\n    expect: sum(satisfaction) < 100\n", encoding="utf-8")
    args = ["check", "--data", str(tmp_path / "data"), "--rules", str(rules), "--schemas", str(tmp_path / "schemas"),
            "--as-of", "2026-06-30"]
    duck = cli(*args, "--json", str(tmp_path / "d.json"))
    on_spark = cli(*args, "--engine", "spark", "--json", str(tmp_path / "s.json"))
    d = {r["rule_id"]: r for r in duck.result["results"]}["S-001"]
    s = {r["rule_id"]: r for r in on_spark.result["results"]}["S-001"]
    assert d["status"] == s["status"] == "fail" and d["violations"] == s["violations"] == 1
    assert [x["key"] for x in s["samples"]] == [x["key"] for x in d["samples"]] == [{"customer_id": "K1"}]
