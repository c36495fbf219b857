# ruff: noqa: RUF001, RUF003  (full-width letters and digits are what these tests read)
"""Export dialects (``x-dialect``, a ``datasets.yaml`` entry's ``dialect``): how real exports spell values.

Each key converts what it declares exactly and nothing else: a value that matches no declared
spelling is a ``type`` or ``format`` violation citing its raw text.  Checked on CSV, JSON Lines and
XLSX text cells, on DuckDB and (where PySpark runs) on Spark with the same values; the key checks
are positioned S304 problems with suggestions; attacks on the number and date grammars are
property-based.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.load.sources import discover
from checker.problems import CheckerError

REQUIRED = os.environ.get("CHECKER_REQUIRE_SPARK") == "1"

RULES = """\
ruleset: dialect
version: 1.0.0
title: {zh: 方言, en: Dialect}
effective: {from: 2026-01-01}
rules:
  - id: D-1
    title: {zh: 三月前建立, en: Created before April (local time)}
    clauses: [M1.1]
    severity: low
    dataset: crm.orders
    expect: CAST(created AS DATE) < DATE '2026-04-01'
    message: {zh: "{{ id }}", en: "{{ id }}"}
"""


def _project(tmp: Path, props: dict[str, Any], rows: str | None, *, dialect: dict | None = None,
             fmt: str = "csv", manifest: dict | None = None, required: tuple[str, ...] = ("id",)) -> Path:
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                              "x-key": ["id"], "required": list(required),
                              "properties": {"id": {"type": "integer"}, **props}}
    if dialect is not None:
        schema["x-dialect"] = dialect
    (tmp / "schemas" / "crm").mkdir(parents=True, exist_ok=True)
    (tmp / "schemas" / "crm" / "orders.schema.json").write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    (tmp / "data" / "crm").mkdir(parents=True, exist_ok=True)
    if rows is not None:
        (tmp / "data" / "crm" / f"orders.{fmt}").write_text(rows, encoding="utf-8", newline="")
    if manifest is not None:
        (tmp / "data" / "datasets.yaml").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    (tmp / "rules").mkdir(exist_ok=True)
    rules = RULES if "created" in props else RULES.replace("CAST(created AS DATE) < DATE '2026-04-01'", "id > 0")
    (tmp / "rules" / "r.yaml").write_text(rules, "utf-8")
    return tmp


def _values(tmp: Path, engine: Any = None) -> list[tuple]:
    """Every record as the engine stores it: (row, the columns in schema order)."""
    schema = load_schema("crm.orders", tmp / "schemas" / "crm" / "orders.schema.json")
    sources, _warnings = discover(tmp / "data", {"crm.orders"})
    own = engine is None
    engine = engine or DuckDBEngine()
    try:
        loaded = engine.load(schema, sources["crm.orders"])
        cols = ", ".join(f'"{c}"' for c in schema.columns)
        return [tuple(r) for r in engine.fetchall(f"SELECT __row, {cols} FROM {loaded.table} ORDER BY __row")]
    finally:
        if own:
            engine.close()


def _check(cli, tmp: Path, *extra: str):
    return cli("check", "--rules", str(tmp / "rules"), "--schemas", str(tmp / "schemas"), "--data",
               str(tmp / "data"), "--as-of", "2026-06-30", "--show-pii", "--json", str(tmp / "out.json"), *extra)


def _failed(result: dict) -> dict[str, list]:
    """check id -> [(row, the value its message cites)] of every failing check."""
    out = {}
    for check in result["results"]:
        if check["status"] == "fail":
            cited = [re.search(r"value '(.*?)'", s["messages"]["en"]) for s in check["samples"]]
            out[check["rule_id"]] = sorted((s["row"], m.group(1) if m else None)
                                           for s, m in zip(check["samples"], cited, strict=True))
    return out


# -- each key ------------------------------------------------------------------------------------------

FULL = {
    "created": {"type": "string", "format": "date-time",
                "x-dialect": {"formats": ["%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M", "excel-serial", "iso"]}},
    "signed": {"type": ["string", "null"], "format": "date", "x-dialect": {"formats": ["roc:%Y/%m/%d", "iso"]}},
    "amount": {"type": ["number", "null"], "x-decimal": [12, 2],
               "x-dialect": {"thousands": ",", "currency": ["NT$", "¥", "￥", "元"]}},
    "rate": {"type": ["number", "null"], "x-dialect": {"percent": True}},
    "vip": {"type": ["boolean", "null"], "x-dialect": {"true": ["是", "Y"], "false": ["否", "N"]}},
    "name": {"type": "string"},
}
FULL_DIALECT = {"timezone": "Asia/Taipei", "null": ["", "N/A", "-", "無"], "normalize": "nfkc", "trim": True}
FULL_CSV = ("id,created,signed,amount,rate,vip,name\n"
            '1,2026/03/01 09:00,115/03/01,"NT$1,234.50",12.5%,是,王小明\n'
            "２,2026年3月3日 09:00,113/02/29,¥3000元,50%,否,  李四  \n"
            '3,46085.375,N/A,"1,23,4",abc,Y,張三\n'
            "4,2026-03-31T16:30:00Z,-,-,-,maybe,ｘ\n"
            "5,2026-03-01 23:30,114/02/29,12.345,,無,y\n")
FULL_VALUES = [
    (1, 1, dt.datetime(2026, 3, 1, 9, 0), dt.date(2026, 3, 1), Decimal("1234.50"), 0.125, True, "王小明"),
    (2, 2, dt.datetime(2026, 3, 3, 9, 0), dt.date(2024, 2, 29), Decimal("3000.00"), 0.5, False, "李四"),
    (3, 3, dt.datetime(2026, 3, 4, 9, 0), None, None, None, True, "張三"),
    (4, 4, dt.datetime(2026, 4, 1, 0, 30), None, None, None, None, "x"),
    (5, 5, None, None, None, None, None, "y"),
]


def test_every_key_reads_what_it_declares(tmp_path):
    """ROC years (a ROC leap day included), Chinese and slashed date-times, an Excel serial, an offset
    moved to Asia/Taipei, NT$ and 元 with thousands, a percentage, 是/否, null spellings, NFKC, trim."""
    _project(tmp_path, FULL, FULL_CSV, dialect=FULL_DIALECT)
    assert _values(tmp_path) == FULL_VALUES


def test_values_no_spelling_matches_are_violations_citing_the_raw_text(cli, tmp_path):
    _project(tmp_path, FULL, FULL_CSV, dialect=FULL_DIALECT)
    run = _check(cli, tmp_path)
    assert run.exit_code == 1, run.stderr
    failed = _failed(run.result)
    assert failed["schema:crm.orders.amount:type"] == [(3, "1,23,4"), (5, "12.345")]   # bad grouping; too precise
    assert failed["schema:crm.orders.rate:type"] == [(3, "abc")]
    assert failed["schema:crm.orders.vip:type"] == [(4, "maybe")]
    assert failed["schema:crm.orders.created:format"] == [(5, "2026-03-01 23:30")]    # iso needs the seconds
    assert failed["schema:crm.orders.signed:format"] == [(5, "114/02/29")]           # 2025 is no leap year
    # 16:30 UTC on March 31 is 00:30 on April 1 in Taipei: the rule sees the local date
    assert failed["D-1"] == [(4, None), (5, None)]   # (row 5's created did not convert: no date to judge)
    assert set(failed) == {"schema:crm.orders.amount:type", "schema:crm.orders.rate:type",
                           "schema:crm.orders.vip:type", "schema:crm.orders.created:format",
                           "schema:crm.orders.signed:format", "D-1"}


def test_without_a_dialect_the_same_text_reads_as_before(cli, tmp_path):
    _project(tmp_path, {k: {kk: vv for kk, vv in v.items() if kk != "x-dialect"} for k, v in FULL.items()},
             FULL_CSV)
    run = _check(cli, tmp_path)
    failed = _failed(run.result)
    assert [r for r, _v in failed["schema:crm.orders.created:format"]] == [1, 2, 3, 5]
    assert [r for r, _v in failed["schema:crm.orders.id:type"]] == [2]                # full-width ２
    assert failed["schema:crm.orders.vip:type"][0] == (1, "是")


def test_the_export_entry_beats_the_property_which_beats_the_schema(tmp_path):
    props = {"created": {"type": "string", "format": "date-time", "x-dialect": {"formats": ["%d.%m.%Y %H:%M"]}},
             "amount": {"type": "number"}}
    rows = "id,created,amount\n1,01.03.2026 09:00,\"1.234,5\"\n2,2026/03/01 09:00,7\n"
    _project(tmp_path, props, rows, dialect={"formats": ["%Y/%m/%d %H:%M"], "timezone": "Asia/Tokyo"})
    # the property's formats win over the schema's; the schema's zone applies (no offset: wall-clock as written)
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9, 0), None), (2, 2, None, 7.0)]
    _project(tmp_path, props, None, dialect={"formats": ["%Y/%m/%d %H:%M"]},
             manifest={"crm.orders": {"path": "crm/orders.csv",
                                      "dialect": {"formats": ["%Y/%m/%d %H:%M", "%d.%m.%Y %H:%M"],
                                                  "thousands": ".", "decimal_mark": ","}}})
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9, 0), 1234.5),
                                 (2, 2, dt.datetime(2026, 3, 1, 9, 0), 7.0)]


def test_offsets_move_to_the_zone_and_local_times_stay(tmp_path):
    props = {"at": {"type": "string", "format": "date-time",
                    "x-dialect": {"formats": ["iso", "%Y-%m-%d %H:%M %z"], "timezone": "Asia/Taipei"}}}
    rows = ("id,at\n1,2026-03-01T09:00:00\n2,2026-03-01T09:00:00+00:00\n3,2026-02-28T23:59:59-08:00\n"
            "4,2026-03-01 09:00 +0900\n5,2026-03-01T09:00:00.5Z\n")
    _project(tmp_path, props, rows)
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9)), (2, 2, dt.datetime(2026, 3, 1, 17)),
                                 (3, 3, dt.datetime(2026, 3, 1, 15, 59, 59)), (4, 4, dt.datetime(2026, 3, 1, 8)),
                                 (5, 5, dt.datetime(2026, 3, 1, 17, 0, 0, 500000))]


def test_rfc3339_is_strict_and_excel_serials_are_whole_days_for_dates(tmp_path):
    props = {"at": {"type": ["string", "null"], "format": "date-time", "x-dialect": {"formats": ["rfc3339"]}},
             "on": {"type": ["string", "null"], "format": "date", "x-dialect": {"formats": ["excel-serial"]}}}
    rows = "id,at,on\n1,2026-03-01T09:00:00Z,46082\n2,2026-03-01 09:00:00Z,46082.5\n3,2026-03-01T09:00:00,x\n"
    _project(tmp_path, props, rows)
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9), dt.date(2026, 3, 1)),
                                 (2, 2, None, None), (3, 3, None, None)]


def test_booleans_only_the_listed_spellings_and_json_s(tmp_path):
    props = {"ok": {"type": ["boolean", "null"], "x-dialect": {"true": ["Y"], "false": ["N"]}}}
    _project(tmp_path, props, "id,ok\n1,Y\n2,N\n3,true\n4,TRUE\n5,y\n6,false\n")
    assert [v[2] for v in _values(tmp_path)] == [True, False, True, None, None, False]


def test_integers_read_with_marks_and_percentages_exactly(tmp_path):
    props = {"n": {"type": ["integer", "null"],
                   "x-dialect": {"thousands": ",", "currency": ["NT$"], "percent": True}},
             "d": {"type": ["number", "null"], "x-decimal": [10, 4], "x-dialect": {"percent": True}}}
    rows = 'id,n,d\n1,"NT$ 1,234",12.345%\n2,"-NT$1,000",0.01%\n3,150%,100.00001%\n4,"1,2345",1e2%\n'
    _project(tmp_path, props, rows)
    # 12.345% is 0.12345, one digit more than the scale holds: a violation, never rounded
    assert _values(tmp_path) == [(1, 1, 1234, None), (2, 2, -1000, Decimal("0.0001")), (3, 3, None, None),
                                 (4, 4, None, None)]


# -- other formats --------------------------------------------------------------------------------------

def test_json_lines_strings_get_formats_zone_normalize_and_trim_only(tmp_path):
    props = {"at": {"type": "string", "format": "date-time"}, "name": {"type": "string"},
             "amount": {"type": ["number", "null"]}}
    rows = ('{"id": 1, "at": " 2026/03/01 09:00 ", "name": "ＡＢ", "amount": 5}\n'
            '{"id": 2, "at": "2026-03-01T01:00:00Z", "name": " x ", "amount": "1,234"}\n')
    _project(tmp_path, props, rows, fmt="jsonl",
             dialect={"formats": ["%Y/%m/%d %H:%M", "iso"], "timezone": "Asia/Taipei", "normalize": "nfkc",
                      "trim": True, "thousands": ","})
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9), "AB", 5.0),
                                 (2, 2, dt.datetime(2026, 3, 1, 9), "x", None)]   # a JSON string is no number


def test_xlsx_text_cells(tmp_path):
    import xlsxwriter

    _project(tmp_path, FULL, None, dialect=FULL_DIALECT)
    book = xlsxwriter.Workbook(str(tmp_path / "data" / "crm" / "orders.xlsx"))
    sheet = book.add_worksheet()
    for r, line in enumerate(FULL_CSV.splitlines()):
        import csv

        for c, cell in enumerate(next(csv.reader([line]))):
            sheet.write_string(r, c, cell)
    book.close()
    assert _values(tmp_path) == FULL_VALUES


# -- lint: every mistake positioned, with a suggestion -------------------------------------------------

@pytest.mark.parametrize("dialect, needle", [
    ({"timezon": "Asia/Taipei"}, "unknown export dialect key 'timezon'; did you mean 'timezone'?"),
    ({"timezone": "Asia/Taipie"}, "unknown time zone 'Asia/Taipie'; did you mean 'Asia/Taipei'?"),
    ({"formats": ["%Y/%m/%Q"]}, "has the directive %Q"),
    ({"formats": ["%y/%m/%d"]}, "did you mean '%Y'?"),
    ({"formats": ["roc:%m/%d"]}, "Republic of China year"),
    ({"formats": ["%Y/%m"]}, "does not read a whole date"),
    ({"formats": "iso"}, "'formats' must be a list of strings"),
    ({"thousands": ",", "decimal_mark": ","}, "'thousands' and 'decimal_mark' are both ','"),
    ({"true": ["是"], "false": ["是"]}, "'是' is listed as both true and false"),
    ({"normalize": "nfc"}, "unknown normalisation 'nfc'"),
    ({"trim": "yes"}, "'trim' must be true or false"),
    ({"currency": ["NT$1"]}, "holds a digit"),
    ("iso", "an export dialect must be an object"),
])
def test_a_bad_dialect_is_a_positioned_error_with_a_suggestion(cli, tmp_path, dialect, needle):
    props = {"at": {"type": "string", "format": "date-time", "x-dialect": dialect}}
    _project(tmp_path, props, "id,at\n1,2026-03-01T09:00:00\n")
    run = cli("lint", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert run.exit_code == 1
    text = run.stdout + run.stderr
    assert "S304" in text and needle in text, text
    line = next(ln for ln in text.splitlines() if "S304" in ln)
    path, row, col = line.split(" ")[0].rstrip(":").rsplit(":", 2)
    assert path.endswith("orders.schema.json") and int(row) == 1 and int(col) > 1


def test_a_bad_dialect_in_datasets_yaml_is_positioned(cli, tmp_path):
    _project(tmp_path, {"created": {"type": "string", "format": "date-time"}}, "id,created\n1,2026-03-01T09:00:00\n")
    (tmp_path / "data" / "datasets.yaml").write_text(
        "crm.orders:\n  path: crm/orders.csv\n  dialect:\n    timezone: Asia/Taipei\n    formats: ['%Y/%q']\n",
        "utf-8")
    run = _check(cli, tmp_path)
    assert run.exit_code == 2
    text = run.stdout + run.stderr
    assert "datasets.yaml:5:15: S304" in text and "%q" in text, text


def test_explain_shows_the_dialect_each_column_reads(cli, tmp_path):
    _project(tmp_path, FULL, FULL_CSV, dialect=FULL_DIALECT)
    run = cli("explain", "D-1", "--rules", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    created = next(ln for ln in lines if ln.strip().startswith("created:"))
    assert '"roc:%Y/%m/%d"' not in created and '"excel-serial"' in created and '"Asia/Taipei"' in created
    amount = next(ln for ln in lines if ln.strip().startswith("amount:"))
    assert "thousands" in amount and "timezone" not in amount and "formats" not in amount


# -- attacks: the grammars under generated input --------------------------------------------------------

NUMBER_PROPS = {"amount": {"type": ["number", "null"], "x-decimal": [18, 2],
                           "x-dialect": {"thousands": ",", "currency": ["NT$", "元"], "null": ["-"]}}}


def _grouped(n: int) -> str:
    return f"{n:,}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=-10**12, max_value=10**12), st.integers(0, 99),
                          st.sampled_from(["", "NT$", "元"])), min_size=1, max_size=20))
def test_grouped_amounts_read_exactly(tmp_path_factory, values):
    tmp = tmp_path_factory.mktemp("amounts")
    lines = ["id,amount"]
    expected = []
    for i, (whole, cents, sym) in enumerate(values, 1):
        sign = "-" if whole < 0 else ""
        text = f"{sign}{_grouped(abs(whole))}.{cents:02d}"
        text = f"{sign}{sym}{text[len(sign):]}" if sym == "NT$" else text + sym
        lines.append(f'{i},"{text}"')
        expected.append(Decimal(f"{sign}{abs(whole)}.{cents:02d}"))
    _project(tmp, NUMBER_PROPS, "\n".join(lines) + "\n")
    assert [v[2] for v in _values(tmp)] == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.sampled_from(list("0123456789,.-+e%元NT$ ¥１\u3000x")), max_size=12),
                min_size=1, max_size=20))
def test_any_text_in_a_number_column_is_a_value_or_a_violation_never_lost(cli, tmp_path_factory, texts):
    tmp = tmp_path_factory.mktemp("texts")
    rows = "id,amount\n" + "".join(f'{i},"{t}"\n' for i, t in enumerate(texts, 1))
    _project(tmp, NUMBER_PROPS, rows)
    values = _values(tmp)
    assert [v[0] for v in values] == list(range(1, len(texts) + 1))      # every record kept, in order
    run = _check(cli, tmp)
    assert run.exit_code in (0, 1), run.stderr
    check = next(c for c in run.result["results"] if c["rule_id"] == "schema:crm.orders.amount:type")
    bad = {s["row"] for s in check["samples"]}
    count = check["violations"]
    for (row, _id, value), text in zip(values, texts, strict=True):
        if value is None and text not in ("", "-"):
            assert count >= 1 and (row in bad or len(bad) >= 20), (text, value)   # cited, not silently null
        if value is not None:
            normal = text.replace(",", "").replace("NT$", "").replace("元", "")
            assert Decimal(normal) == value, (text, value)                        # read exactly


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.datetimes(min_value=dt.datetime(1912, 1, 1), max_value=dt.datetime(2899, 12, 31)),
                min_size=1, max_size=15))
def test_roc_and_slashed_date_times_read_back_exactly(tmp_path_factory, moments):
    tmp = tmp_path_factory.mktemp("roc")
    props = {"at": {"type": "string", "format": "date-time",
                    "x-dialect": {"formats": ["roc:%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S"]}}}
    lines = ["id,at"]
    for i, m in enumerate(moments, 1):
        if i % 2:
            lines.append(f"{i},{m.year - 1911}/{m.month:02d}/{m.day:02d} {m:%H:%M:%S}")
        else:
            lines.append(f"{i},{m.year}年{m.month}月{m.day}日 {m:%H:%M:%S}")
    _project(tmp, props, "\n".join(lines) + "\n")
    assert [v[2] for v in _values(tmp)] == [m.replace(microsecond=0) for m in moments]


# -- the same answers on Spark ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark_engine(tmp_path_factory):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if REQUIRED:
            pytest.fail("CHECKER_REQUIRE_SPARK=1 but PySpark is not installed (pip install '.[spark]')")
        pytest.skip("PySpark not installed (pip install '.[spark]')")
    from checker.engine.spark import SparkEngine

    engine = SparkEngine(master="local[2]")
    yield engine
    engine.close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_same_values_on_spark(spark_engine, tmp_path, fmt):
    if fmt == "csv":
        _project(tmp_path, FULL, FULL_CSV, dialect=FULL_DIALECT)
        expected = FULL_VALUES
    else:
        rows = "".join(json.dumps({"id": i, "created": c, "name": n}, ensure_ascii=False) + "\n" for i, c, n in
                       [(1, " 2026/03/01 09:00", "ＡＢ"), (2, "2026-03-31T16:30:00Z", " x"), (3, "46085.375", "y"),
                        (4, "bad", "z")])
        _project(tmp_path, {"created": FULL["created"], "name": FULL["name"]}, rows, fmt="jsonl",
                 dialect=FULL_DIALECT)
        expected = _values(tmp_path)
        assert expected[1][2] == dt.datetime(2026, 4, 1, 0, 30)
    assert _values(tmp_path, spark_engine) == expected


def test_problems_are_checker_errors_not_tracebacks(tmp_path):
    _project(tmp_path, {"at": {"type": "string", "format": "date-time", "x-dialect": {"formats": [1]}}}, None)
    with pytest.raises(CheckerError) as err:
        load_schema("crm.orders", tmp_path / "schemas" / "crm" / "orders.schema.json")
    assert [str(p.code) for p in err.value.problems] == ["S304"]


def test_lint_warns_when_a_rule_joins_datasets_of_different_zones(cli, tmp_path):
    _project(tmp_path, {"created": {"type": "string", "format": "date-time"},
                        "cust": {"type": "string"}}, None, dialect={"timezone": "Asia/Taipei"})
    customers = {"type": "object", "properties": {"cust": {"type": "string"},
                                                  "since": {"type": "string", "format": "date-time"}}}
    (tmp_path / "schemas" / "crm" / "customers.schema.json").write_text(json.dumps(customers), "utf-8")
    rule = RULES.replace("    expect:", "    join: [{dataset: crm.customers, as: c, on: \"c.cust = cust\"}]\n"
                                        "    expect: c.since <= created AND")
    (tmp_path / "rules" / "r.yaml").write_text(rule, "utf-8")
    run = cli("lint", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    text = run.stdout + run.stderr
    assert "r.yaml:11:11: W507" in text and "Asia/Taipei, UTC" in text, text
    customers["x-dialect"] = {"timezone": "Asia/Taipei"}
    (tmp_path / "schemas" / "crm" / "customers.schema.json").write_text(json.dumps(customers), "utf-8")
    run = cli("lint", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert "W507" not in run.stdout + run.stderr


def test_an_entry_with_only_a_dialect_reads_the_export_in_its_usual_place(tmp_path):
    props = {"created": {"type": "string", "format": "date-time"}}
    rows = "id,created\n1,115/03/01 09:00\n"
    _project(tmp_path, props, rows, manifest={"crm.orders": {"dialect": {"formats": ["roc:%Y/%m/%d %H:%M"]}}})
    assert _values(tmp_path) == [(1, 1, dt.datetime(2026, 3, 1, 9, 0))]
    (tmp_path / "data" / "datasets.yaml").write_text("crm.orders:\n  encoding: big5\n", encoding="utf-8")
    with pytest.raises(CheckerError) as err:
        _values(tmp_path)
    assert [str(p.code) for p in err.value.problems] == ["D401"]
    hint = err.value.problems[0].hint
    assert hint is not None and "only a 'dialect'" in hint.render("en")
