"""The SQL sandbox against hostile rule files and waivers.

Every place user text becomes SQL (``expect``, ``where``, ``group_by``, join ``on``, ``unique``
names, waiver ``where`` and ``keys``, ruleset ``params``) is fed expressions built from a grammar of
hostile fragments: quotes, comments, ``;``, statements, quoted and user-defined type names, dollar
quotes, escape strings, Unicode look-alikes, table functions, other datasets' tables, deep nesting.
Whatever the input, the run must either refuse it with a coded problem or run, and then:

* every statement the engine ran after loading was one SELECT (recorded on DuckDB's connection,
  below the checker's own guard, and judged by DuckDB's parser);
* every dataset's records are all there and unchanged (the canary rules over both datasets count
  the same records and violations as on a clean run);
* no environment value, engine setting or other dataset's value appears in any output;
* there is no traceback or internal error.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.compile import expr
from checker.engine.duckdb import DuckDBEngine
from checker.problems import CheckerError

CANARY_ENV = "CHECKER_SANDBOX_CANARY"
CANARY_VALUE = "env-canary-7f3a9c"
SECRET_EMAIL = "secret.canary@example.org"           # an x-pii value of the *other* dataset

SCHEMAS = {
    "crm/complaints.schema.json": {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "crm.complaints", "type": "object",
        "x-key": ["complaint_id"], "required": ["complaint_id"],
        "properties": {
            "complaint_id": {"type": "string"}, "customer_id": {"type": "string"},
            "severity": {"type": "string"}, "amount": {"type": ["number", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "crm/customers.schema.json": {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "crm.customers", "type": "object",
        "x-key": ["customer_id"], "required": ["customer_id"],
        "properties": {
            "customer_id": {"type": "string"}, "email": {"type": ["string", "null"], "x-pii": True},
            "tier": {"type": "string"},
        },
    },
}
COMPLAINTS = ("complaint_id,customer_id,severity,amount,created_at\n"
              "C1,K1,high,10.5,2026-03-01 09:00:00\nC2,K1,low,,2026-03-02 09:00:00\n"
              "C3,K2,high,99,2026-03-03 09:00:00\nC4,K3,low,5,2026-03-04 09:00:00\n")
CUSTOMERS = f"customer_id,email,tier\nK1,{SECRET_EMAIL},gold\nK2,a@b.c,standard\nK3,,vip\n"

#: Canary rules over both datasets: their counts prove no record was removed or changed.
CANARIES = """\
  - id: CAN-001
    title: {zh: 金額為正, en: Amounts are positive}
    clauses: [M1.2]
    severity: low
    dataset: crm.complaints
    expect: amount > 6
  - id: CAN-002
    title: {zh: 客戶有郵件, en: Customers have an e-mail}
    clauses: [M1.2]
    severity: low
    dataset: crm.customers
    expect: email IS NOT NULL
"""
EXPECTED_CANARIES = {"CAN-001": (4, 2), "CAN-002": (3, 1)}   # (checked, violations)

# -- the grammar --------------------------------------------------------------------------------------
COLUMNS = ["complaint_id", "customer_id", "severity", "amount", "created_at"]
ATOMS = COLUMNS + ["'K1'", "1", "2.5", "NULL", "TRUE", "FALSE", ":p", "DATE '2026-03-01'", "INTERVAL 1 DAY"]
OPERATORS = ["=", "<>", "<", "AND", "OR", "NOT", "+", "||", "IN", "IS", "LIKE", ",", "(", ")", "::", "AS", "CASE",
             "WHEN", "THEN", "ELSE", "END"]
HOSTILE = [
    ";", "'", '"', "''", "--", "/*", "*/", "$$", "$t$", "\\", "`", "\x00", "\n", "\r\n",
    "\uff07", "\uff1b", "\u2019", "\u02bc", "\u200b", "\u202e", "\ufeff",                # look-alikes, invisibles
    "DELETE FROM ds_2", "DROP TABLE ds_1", "UPDATE ds_1 SET severity = 'x'", "INSERT INTO ds_2 VALUES ('K9')",
    "TRUNCATE ds_2", "COPY ds_2 TO '/tmp/checker-pwned.csv'", "ATTACH ':memory:' AS pwn", "SET threads = 1",
    "PRAGMA version", "CALL pragma_version()", "CHECKPOINT", "INSTALL httpfs", "LOAD httpfs",
    "EXPORT DATABASE '/tmp/checker-pwned'", "SELECT * FROM ds_2", "(SELECT email FROM ds_2 LIMIT 1)",
    "EXISTS (SELECT 1)", "read_csv('/etc/passwd')", "query('DELETE FROM ds_2')", "getenv('HOME')",
    "current_setting('memory_limit')", "duckdb_settings()", "version()", "ds_2.email", "checker_data.ds_2.email",
    "main.ds_1.severity", '"ds_2"."email"', "t.email", "__row", "rowid",
    'CAST(complaint_id AS "int); DELETE FROM ds_2; SELECT (1")', 'complaint_id::"x; DROP TABLE ds_1"',
    "CAST(amount AS myenum)", "CAST(amount AS DECIMAL('a', 2))", "CAST(amount AS STRUCT(a INT))",
    "CAST(amount AS INT[])", 'CAST(amount AS "VARCHAR")', "amount::varchar(3)",
    'INTERVAL 1 "day; DELETE FROM ds_2"', 'extract("epoch; x" from created_at)', "$$;DELETE FROM ds_2;$$",
    "$x$'; DELETE FROM ds_2; --$x$", "E'\\x27; DELETE FROM ds_2; --'", "e'\\''", "U&'\\0027'",
    "'a'' ; DELETE FROM ds_2; --'", "\"complaint_id\"\"; DROP TABLE ds_1; --\"",
    "(" * 60 + "1" + ")" * 60, "CASE " * 30 + "WHEN TRUE THEN 1 " + "END " * 30, " + ".join(["amount"] * 400),
]
FRAGMENT = st.one_of(st.sampled_from(ATOMS), st.sampled_from(OPERATORS), st.sampled_from(HOSTILE))
EXPRESSIONS = st.lists(FRAGMENT, min_size=1, max_size=7).map(" ".join)


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value``."""
    return json.dumps(value, ensure_ascii=False)


def _ruleset(surface: str, text: str) -> tuple[str, str | None]:
    """A rule file with ``text`` on one surface (and a waiver file for the waiver surfaces)."""
    q = _yaml(text)
    rule = {
        "expect": f"    expect: {q}\n",
        "where": f"    where: {q}\n    expect: amount > 0\n",
        "group_by": f"    group_by: [{q}]\n    expect: count(*) >= 1\n",
        "aggregate": f"    group_by: [customer_id]\n    expect: {q}\n",
        "join": (f"    join: [{{dataset: crm.customers, as: c, on: {q}}}]\n"
                 "    expect: c.tier IS NOT NULL\n"),
        "unique": f"    unique: [{q}]\n",
        "param": "    expect: complaint_id <> :p\n",
        "waiver_where": "    expect: amount > 1000\n",
        "waiver_keys": "    expect: amount > 1000\n",
    }[surface]
    params = f"params: {{p: {q}}}\n" if surface == "param" else "params: {p: 'K1'}\n"
    body = (f"ruleset: sec.hostile\nversion: 1.0.0\ntitle: {{zh: 惡意, en: Hostile}}\n"
            f"effective: {{from: 2026-01-01}}\n{params}rules:\n"
            "  - id: HOS-001\n    title: {zh: 惡意規則, en: Hostile rule}\n    clauses: [M1.2]\n"
            "    severity: high\n    dataset: crm.complaints\n" + rule + CANARIES)
    waiver = None
    if surface == "waiver_where":
        waiver = f"- {{rule: HOS-001, where: {q}, reason: r, approved_by: a, expires: 2099-01-01}}\n"
    elif surface == "waiver_keys":
        waiver = f"- {{rule: HOS-001, keys: [{{complaint_id: {q}}}], reason: r, approved_by: a, expires: 2099-01-01}}\n"
    return body, waiver


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sandbox")
    for name, schema in SCHEMAS.items():
        path = root / "schemas" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema), encoding="utf-8")
    (root / "data" / "crm").mkdir(parents=True)
    (root / "data" / "crm" / "complaints.csv").write_text(COMPLAINTS, encoding="utf-8")
    (root / "data" / "crm" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    return root


class Recorder:
    """Every statement sent to DuckDB after the engine locked, seen on the connection itself."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @contextmanager
    def installed(self):
        recorder = self
        original = DuckDBEngine.lock

        def lock(engine: DuckDBEngine) -> None:
            original(engine)
            engine.con = _Recording(engine.con, recorder.statements)

        with mock.patch.object(DuckDBEngine, "lock", lock):
            yield self


class _Recording:
    def __init__(self, con, log: list[str]):
        self._con, self._log = con, log

    def execute(self, sql, *args, **kwargs):
        self._log.append(sql)
        return self._con.execute(sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        self._log.append(sql)
        return self._con.executemany(sql, *args, **kwargs)

    def __getattr__(self, name):
        if name in ("sql", "query", "from_query"):
            raise AssertionError(f"the checker ran SQL through con.{name} after loading")
        return getattr(self._con, name)


#: The engine's own wrappers around a checked SELECT (kept answers): nothing else but SELECT may run.
_OWN = re.compile(r'^(CREATE TEMP TABLE "__kept_\d+" AS |DROP TABLE IF EXISTS "__kept_\d+"$)')


def _assert_only_selects(statements: list[str]) -> None:
    probe = duckdb.connect()
    for sql in statements:
        try:
            parsed = probe.extract_statements(sql)
        except duckdb.Error as err:
            pytest.fail(f"text that is not one statement reached DuckDB ({err}): {sql}")
        assert len(parsed) == 1, sql
        if _OWN.match(sql):
            continue
        assert parsed[0].type == duckdb.StatementType.SELECT, sql


def run_check(project: Path, rules: str, waivers: str | None, tmp: Path) -> tuple[int, str, dict | None, list[str]]:
    (tmp / "rules.yaml").write_text(rules, encoding="utf-8")
    args = ["check", "--data", str(project / "data"), "--rules", str(tmp / "rules.yaml"),
            "--schemas", str(project / "schemas"), "--as-of", "2026-06-30", "--lang", "en",
            "--json", str(tmp / "r.json"), "--md", str(tmp / "r.md"), "--sarif", str(tmp / "r.sarif"),
            "--junit", str(tmp / "r.xml"), "--html", str(tmp / "r.html"), "--format", "github"]
    if waivers is not None:
        (tmp / "waivers.yaml").write_text(waivers, encoding="utf-8")
        args += ["--waivers", str(tmp / "waivers.yaml")]
    for leftover in tmp.glob("r.*"):
        leftover.unlink()
    with Recorder().installed() as recorder:
        res = CliRunner().invoke(main, args, env={CANARY_ENV: CANARY_VALUE}, catch_exceptions=False)
    outputs = res.stdout + res.stderr + "".join(p.read_text(encoding="utf-8") for p in sorted(tmp.glob("r.*")))
    result = json.loads((tmp / "r.json").read_text(encoding="utf-8")) if (tmp / "r.json").exists() else None
    return res.exit_code, outputs, result, recorder.statements


def _assert_safe(code: int, outputs: str, result: dict | None, statements: list[str]) -> None:
    assert "Traceback" not in outputs and "internal error" not in outputs, outputs[-2000:]
    assert CANARY_VALUE not in outputs
    assert SECRET_EMAIL not in outputs
    assert "root:x:0:0" not in outputs
    assert not Path("/tmp/checker-pwned.csv").exists() and not Path("/tmp/checker-pwned").exists()
    _assert_only_selects(statements)
    if code == 2:
        assert re.search(r"\b[A-Z]\d{3}\b", outputs), outputs          # refused with a code
        return
    assert code in (0, 1), outputs
    assert result is not None
    assert {i["dataset"]: i["rows"] for i in result["inputs"]} == {"crm.complaints": 4, "crm.customers": 3}
    by_id = {r["rule_id"]: r for r in result["results"]}
    for rule_id, (checked, violations) in EXPECTED_CANARIES.items():
        assert (by_id[rule_id]["checked"], by_id[rule_id]["violations"]) == (checked, violations), by_id[rule_id]


SURFACES = ["expect", "where", "group_by", "aggregate", "join", "unique", "param", "waiver_where", "waiver_keys"]


@pytest.mark.parametrize("surface", SURFACES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=EXPRESSIONS)
def test_hostile_expressions_are_refused_or_run_as_one_select(project, tmp_path, surface, text):
    rules, waivers = _ruleset(surface, text)
    _assert_safe(*run_check(project, rules, waivers, tmp_path))


@pytest.mark.parametrize("text", [h for h in HOSTILE if len(h) > 3])
def test_each_hostile_fragment_on_expect_and_waiver(project, tmp_path, text):
    """Every named attack, alone, on the two surfaces that reached SQL before (rules and waivers)."""
    for surface in ("expect", "waiver_where"):
        rules, waivers = _ruleset(surface, text)
        _assert_safe(*run_check(project, rules, waivers, tmp_path))


def test_a_clean_run_passes_the_same_assertions(project, tmp_path):
    """The harness itself: a harmless rule runs, and the canaries count what they should."""
    rules, waivers = _ruleset("expect", "severity = 'high'")
    code, outputs, result, statements = run_check(project, rules, waivers, tmp_path)
    assert code == 1 and statements
    _assert_safe(code, outputs, result, statements)
    assert {r["rule_id"]: r["violations"] for r in result["results"]}["HOS-001"] == 2


@pytest.mark.parametrize("text, code", [
    ('CAST(amount AS "int); DELETE FROM ds_2; SELECT (1")', "X"),
    ("CAST(amount AS myenum) = 1", "X208"),
    ("CAST(amount AS DECIMAL('a', 2)) = 1", "X208"),
    ("CAST(amount AS STRUCT(a INT)) IS NULL", "X208"),
    ("CAST(amount AS INT[]) IS NULL", "X208"),
    ('amount::"double" > 1', "X208"),
    ('created_at + INTERVAL 1 "day" > created_at', "X"),
    ("(" * 30 + "amount > 1" + ")" * 30, "X202"),
])
def test_types_and_words_are_refused_with_a_code_and_position(project, tmp_path, text, code):
    rules, _ = _ruleset("expect", text)
    exit_code, outputs, _, statements = run_check(project, rules, None, tmp_path)
    assert exit_code == 2
    line = next(ln for ln in outputs.splitlines() if "HOS-001" in ln)
    assert re.match(rf"^\S*rules\.yaml:\d+:\d+: {code}", line), line
    assert statements == []                                      # nothing ran


@pytest.mark.parametrize("text", ["CAST(amount AS DECIMAL(12, 2)) > 1", "CAST(amount AS VARCHAR) <> 'x'",
                                  "try_cast(severity AS INTEGER) IS NULL",
                                  "CAST(created_at AS DATE) >= DATE '2026-01-01'",
                                  "created_at + INTERVAL 2 DAY > created_at", "extract(year FROM created_at) = 2026"])
def test_ordinary_casts_and_intervals_still_compile(project, tmp_path, text):
    rules, _ = _ruleset("expect", text)
    code, outputs, result, _statements = run_check(project, rules, None, tmp_path)
    assert code in (0, 1), outputs
    assert {r["rule_id"]: r["status"] for r in result["results"]}["HOS-001"] in ("pass", "fail")


# -- the guard alone, below the compiler -----------------------------------------------------------------
STATEMENTS = st.lists(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(["SELECT", "count(*)", "FROM", "ds_1",
                                                                           "ds_2", "WHERE", "1", "*", ","])),
                      min_size=1, max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def engine(project):
    from checker.load.schemas import load_schema
    from checker.load.sources import Source

    e = DuckDBEngine()
    for name in ("complaints", "customers"):
        schema = load_schema(f"crm.{name}", project / "schemas" / "crm" / f"{name}.schema.json")
        path = project / "data" / "crm" / f"{name}.csv"
        e.load(schema, Source(f"crm.{name}", path, f"crm/{name}.csv", "csv"))
    e.lock()
    yield e
    e.close()


def _contents(e: DuckDBEngine) -> list:
    return [e.con.execute(f"SELECT * FROM {t} ORDER BY __row").fetchall() for t in ("ds_1", "ds_2")]


@settings(max_examples=200, deadline=None)
@given(sql=STATEMENTS)
def test_the_guard_lets_only_one_select_over_own_tables_run(engine, sql):
    before = _contents(engine)
    refused = None
    try:
        engine.fetchall(sql)
    except CheckerError as err:
        refused = err.problems[0].code
    except duckdb.Error:
        pass                                # a SELECT the guard let through, refused by DuckDB (e.g. binding)
    else:
        parsed = engine.con.extract_statements(sql)
        assert len(parsed) == 1 and parsed[0].type == duckdb.StatementType.SELECT
    assert refused in (None, "X210")
    assert _contents(engine) == before


@settings(max_examples=300, deadline=None)
@given(value=st.text())
def test_literals_carry_any_text_exactly(value):
    """A parameter or waiver-key value becomes a literal that DuckDB reads back as the same text."""
    value = value.replace("\x00", "")      # DuckDB strings cannot hold NUL
    sql = expr.literal(value).sql(dialect=expr.DIALECT)
    con = duckdb.connect()
    assert len(con.extract_statements("SELECT " + sql)) == 1
    assert con.execute("SELECT " + sql).fetchone()[0] == value


# -- no false refusals ------------------------------------------------------------------------------------
ORDINARY = [
    "created_at + INTERVAL 3 HOUR < closed_at", "CAST(closed_at AS DATE) - CAST(created_at AS DATE) > 1",
    "sum(length(complaint_id)) > 1", "x IN ('a', 'b')", "x NOT IN (1, 2)", "x BETWEEN 1 AND 2", "x ILIKE 'a%'",
    "x IS DISTINCT FROM y", "NOT x", "x // 2 = 1", "x % 2 = 1", "-x < 1", "x::DATE", "x::TIMESTAMP",
    "TRY_CAST(x AS BIGINT)", "CAST(x AS DECIMAL(12, 2))", "x || y", "IF(x, 1, 2)",
    "CASE x WHEN 1 THEN 'a' ELSE 'b' END",
    "extract(epoch from x)", "date_trunc('month', x) = DATE '2026-01-01'", "x = TIMESTAMP '2026-01-01 10:00:00'",
    "to_days(2) + x", "count(DISTINCT x)", "regexp_matches(x, '^a$', 'i')", "strftime(x, '%Y-%m') = '2026-01'",
    "trim(both 'a' from y)", "x = 'it''s'", "year(x) = 2026 AND month(x) = 1", "round(x, 2) = 1.5", "1e3 > x",
]


@pytest.mark.parametrize("text", sorted({**expr.SCALAR_FUNCTIONS, **expr.AGGREGATE_FUNCTIONS}.values()) + ORDINARY)
def test_whitelisted_forms_read_back_and_are_never_refused_by_the_sandbox(text):
    """Every documented function and common form compiles without X208/X209, over text and time columns."""
    from checker.load.schemas import load_schema
    from checker.problems import Span

    schema = load_schema("crm.complaints", Path(__file__).parent.parent / "cases" / "_shared" / "schemas" / "crm"
                         / "complaints.schema.json")
    for x, y, z in (("severity", "complaint_id", "customer_id"), ("created_at", "closed_at", "first_response_at")):
        spelled = re.sub(r"\bx\b", x, re.sub(r"\by\b", y, re.sub(r"\bz\b", z, text)))
        ctx = expr.ExprContext("T-001", Span("rules.yaml", 1, 1), schema, "m", allow_aggregates=True)
        problems = []
        try:
            expr.compile_expression(spelled, ctx)
        except CheckerError as err:
            problems = err.problems
        assert not problems or problems[0].code not in ("X208", "X209"), (spelled, problems[0].message)


@pytest.mark.parametrize("text", ["lpad(severity, 2000000000, 'x') = 'a'",
                                  "rpad(severity, length(complaint_id) * 99999, 'x') = 'a'",
                                  "lpad(severity, CAST(amount AS INTEGER), '0') = 'a'"])
def test_a_rule_cannot_ask_for_gigabyte_values(project, tmp_path, text):
    """lpad/rpad widths are numbers up to MAX_PAD: a width from the data, or a huge one, would exhaust memory."""
    rules, _ = _ruleset("expect", text)
    code, outputs, _, statements = run_check(project, rules, None, tmp_path)
    assert code == 2 and f"takes a width written as a number up to {expr.MAX_PAD:,}" in outputs and statements == []
