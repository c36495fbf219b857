"""`checker test` converts each dataset's example records once: every example still reads its own records only,
typed exactly as if they were loaded alone."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.model.dataset import DatasetSchema
from checker.testing import run_examples
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
AS_OF = dt.date(2026, 6, 30)

# Each rule's examples are ordered so that a record of an earlier example, seen by a later one, turns the
# later one's verdict: a duplicate id, a fourth complaint of a customer, a customer that is registered.
LEAKY = """\
    ruleset: cases.isolation
    version: 1.0.0
    title: {zh: 隔離, en: Isolation}
    effective: {from: 2026-01-01}
    rules:
      - id: ISO-001
        title: {zh: 編號唯一, en: Unique ids}
        clauses: [M1.2]
        severity: high
        dataset: crm.complaints
        unique: [complaint_id]
        message: {zh: "重複 {{ complaint_id }}", en: "Duplicate {{ complaint_id }}"}
        examples:
          pass: [[{complaint_id: C000001}], [{complaint_id: C000001}], {complaint_id: C000001}]
          fail: [[{complaint_id: C000002}, {complaint_id: C000002}]]
      - id: ISO-002
        title: {zh: 投訴不多, en: Few complaints}
        clauses: [M1.1]
        severity: low
        dataset: crm.complaints
        group_by: [customer_id]
        expect: count(*) <= 3
        message: {zh: "客戶 {{ customer_id }}", en: "Customer {{ customer_id }}"}
        examples:
          pass: [[{customer_id: K001}, {customer_id: K001}, {customer_id: K001}],
                 [{customer_id: K001}, {customer_id: K001}, {customer_id: K001}]]
      - id: ISO-003
        title: {zh: 客戶已建檔, en: Registered customers}
        clauses: [M1.1]
        severity: medium
        dataset: crm.complaints
        join: [{dataset: crm.customers, as: cust, on: "cust.customer_id = customer_id"}]
        expect: cust.customer_id IS NOT NULL
        message: {zh: "客戶 {{ customer_id }}", en: "Customer {{ customer_id }}"}
        examples:
          pass: [{complaint_id: C000001, customer_id: K001, cust: {customer_id: K001}}]
          fail: [{complaint_id: C000001, customer_id: K001, cust: {customer_id: K002}},
                 {complaint_id: C000001, customer_id: K001}]
      - id: ISO-004
        title: {zh: 首次響應, en: First response}
        clauses: [M1.2]
        severity: high
        dataset: crm.complaints
        expect: first_response_at IS NOT NULL
        message: {zh: "投訴 {{ complaint_id }}", en: "Complaint {{ complaint_id }}"}
        examples:
          fail: [[{complaint_id: C000001}, {complaint_id: C000002, first_response_at: "2026-03-01T10:00:00"}]]
          pass: [{complaint_id: C000003, first_response_at: "2026-03-01T10:00:00"}]
    """


@pytest.mark.parametrize("staged", [True, False])
def test_no_example_sees_the_records_of_another(tmp_path: Path, staged: bool) -> None:
    (tmp_path / "isolation.yaml").write_text(textwrap.dedent(LEAKY), encoding="utf-8")
    report = run_examples([tmp_path], QS / "schemas", AS_OF, staged=staged)
    assert [p.render("en") for p in report.problems] == []
    assert (report.passed, report.failed, report.rules) == (11, 0, 4)


def test_staged_and_per_example_runs_give_the_same_findings(tmp_path: Path) -> None:
    # wrong examples: each finding names the number of violations, which must not change
    wrong = (textwrap.dedent(LEAKY)
             .replace("pass: [[{complaint_id: C000001}], [{complaint_id: C000001}], {complaint_id: C000001}]",
                      "pass: [[{complaint_id: C000001}, {complaint_id: C000001}, {complaint_id: C000001}]]")
             .replace("fail: [[{complaint_id: C000002}, {complaint_id: C000002}]]", "fail: [{complaint_id: C000002}]")
             .replace("count(*) <= 3", "count(*) <= 2")
             .replace("expect: cust.customer_id IS NOT NULL", "expect: cust.customer_id IS NULL"))
    (tmp_path / "wrong.yaml").write_text(wrong, encoding="utf-8")
    (tmp_path / "quickstart.yaml").write_text((QS / "rules" / "customer-service.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    staged = run_examples([tmp_path], QS / "schemas", AS_OF, staged=True)
    apart = run_examples([tmp_path], QS / "schemas", AS_OF, staged=False)
    found = [(p.render("en"), p.render("zh")) for p in staged.problems]
    assert found == [(p.render("en"), p.render("zh")) for p in apart.problems]
    assert (staged.passed, staged.failed) == (apart.passed, apart.failed) == (14, 7)
    assert sum("example pass[0] should pass but gives 3 violations" in en for en, _zh in found) == 1


# -- the engine: a record set reads exactly as the same records loaded on their own ---------------------------

SCHEMA = {
    "title": "cases.types",
    "type": "object",
    "properties": {
        "id": {"type": "string", "x-aliases": ["編號"]},
        "n": {"type": ["integer", "null"]},
        "x": {"type": "number"},
        "amount": {"type": "number", "x-decimal": [10, 2]},
        "ok": {"type": "boolean"},
        "day": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "any": {},
        "either": {"type": ["string", "integer"]},
    },
}

SETS: list[list[dict[str, Any]]] = [
    [{"id": "a", "n": 1, "x": 1.5, "amount": "12.34", "ok": True, "day": "2026-02-30", "at": "2026-03-01 10:00:00"}],
    [],
    [{"編號": "b", "n": 1.0, "x": "1", "amount": 12.345, "ok": "yes", "day": "2026-02-28", "any": [1, {"k": "v"}]},
     {"id": None, "n": 12345678901234567890, "x": 1e400, "either": 1.5, "extra": "ignored"},
     {"id": "quote \" and \\ back", "n": "7", "at": "2026-03-01T25:00:00", "either": True, "any": "\u00e9\t"}],
    [{"id": "a", "ok": False, "either": "x", "n": -0.0}],
]


@pytest.fixture
def schema(tmp_path: Path) -> DatasetSchema:
    path = tmp_path / "types.schema.json"
    path.write_text(json.dumps(SCHEMA, ensure_ascii=False), encoding="utf-8")
    return load_schema("cases.types", path)


def _rows(engine: DuckDBEngine, table: str) -> tuple[list[tuple], list[tuple]]:
    return engine.con.execute(f"DESCRIBE {table}").fetchall(), engine.con.execute(
        f"SELECT * FROM {table} ORDER BY __row").fetchall()


def test_a_record_set_reads_as_its_records_loaded_alone(schema: DatasetSchema) -> None:
    with DuckDBEngine() as engine:
        staged, ranges = engine.load_record_sets(schema, SETS, "example")
        assert [len(r) for r in ranges] == [len(s) for s in SETS]
        alone = [_rows(engine, engine.load_records(schema, records, "example").table) for records in SETS]
        for _round in range(2):                            # and again, after every other set was shown
            for k in [3, 0, 2, 1]:
                shown = engine.use_record_set(staged, ranges[k])
                assert _rows(engine, shown.table) == alone[k], k
                assert shown.rows == len(SETS[k])
        # the queries read the set, never the table of all sets
        assert shown.table in engine._tables and staged.table not in engine._tables
        assert engine.fetchall(f"SELECT count(*) FROM {shown.table}") == [(0,)]


def test_a_set_of_records_is_typed_and_keeps_its_evidence(schema: DatasetSchema) -> None:
    with DuckDBEngine() as engine:
        staged, ranges = engine.load_record_sets(schema, SETS, "example")
        shown = engine.use_record_set(staged, ranges[2])
        rows = engine.fetchall(f"SELECT __row, id, n, amount, __bad_1, __bad_3 FROM {shown.table} ORDER BY __row")
    assert rows[0][:2] == (1, "b") and rows[0][2] == 1
    assert rows[1][0] == 2 and rows[1][2] is None and rows[1][4] == "12345678901234567890"
    assert rows[0][3] is None and rows[0][5] == "12.345"   # would be rounded: a violation, not a value
