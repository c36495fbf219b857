"""Dataset rules: an aggregate ``expect`` without ``group_by`` judges the whole export once, even empty.

An auditor asking "is the data there, and current?" must get a red answer from an empty or stale
export; before dataset rules, zero records made zero groups and the question passed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
REQUIRED = os.environ.get("CHECKER_REQUIRE_SPARK") == "1"

RULES = """\
ruleset: volume
version: 1.0.0
title: {zh: 資料量, en: Volume}
effective: {from: 2026-01-01}
rules:
  - id: V-1
    title: {zh: 最近一個月有投訴, en: Complaints of the last month exist}
    clauses: [M1.4]
    severity: high
    dataset: crm.complaints
    expect: count(*) >= 1 AND max(created_at) >= :as_of - INTERVAL 31 DAY
    message: {zh: "沒有近期投訴（{{ records }} 筆）", en: "No recent complaint ({{ records }} records)"}
  - id: V-2
    title: {zh: 高等級投訴不超過一半, en: At most half the complaints are high}
    clauses: [M1.4]
    severity: low
    dataset: crm.complaints
    where: channel IS NOT NULL
    expect: count_if(severity = 'high') * 2 <= count(*)
    message: {zh: "高等級投訴過多", en: "Too many high complaints"}
"""


def _project(tmp: Path, rows: str | None, rules: str = RULES) -> Path:
    shutil.copytree(QUICKSTART / "schemas", tmp / "schemas")
    (tmp / "data" / "crm").mkdir(parents=True)
    header = (QUICKSTART / "data" / "crm" / "complaints.csv").read_text(encoding="utf-8").splitlines()[0]
    (tmp / "data" / "crm" / "complaints.csv").write_text(header + "\n" + (rows or ""), encoding="utf-8")
    shutil.copy(QUICKSTART / "data" / "crm" / "customers.jsonl", tmp / "data" / "crm" / "customers.jsonl")
    (tmp / "rules").mkdir()
    (tmp / "rules" / "v.yaml").write_text(rules, encoding="utf-8")
    return tmp


def _run(cli, tmp: Path, *extra: str) -> dict:
    run = cli("check", "--data", str(tmp / "data"), "--rules", str(tmp / "rules"), "--schemas", str(tmp / "schemas"),
              "--as-of", "2026-06-30", "--json", str(tmp / "r.json"), *extra)
    assert run.exit_code in (0, 1), run.stderr
    return {r["rule_id"]: r for r in json.loads((tmp / "r.json").read_text(encoding="utf-8"))["results"]}


def test_an_empty_export_fails_a_volume_rule_once(cli, tmp_path):
    results = _run(cli, _project(tmp_path, None))
    v1 = results["V-1"]
    assert (v1["kind"], v1["status"], v1["checked"], v1["violations"]) == ("dataset", "fail", 1, 1)
    sample = v1["samples"][0]
    assert sample["row"] is None and sample["key"] is None and "(0 records)" in sample["message"]
    assert results["V-2"]["status"] == "pass" and results["V-2"]["checked"] == 1   # 0 <= 0: no NULL


def test_current_data_passes_and_stale_data_fails(cli, tmp_path):
    fresh = "C1,K001,phone,high,2026-06-20 09:00:00,,,,\nC2,K002,web,low,2026-06-21 09:00:00,,,,\n"
    results = _run(cli, _project(tmp_path / "a", fresh))
    assert results["V-1"]["status"] == "pass" and results["V-2"]["status"] == "pass"
    stale = "C1,K001,phone,high,2026-03-20 09:00:00,,,,\nC2,K002,,high,2026-03-21 09:00:00,,,,\n"
    results = _run(cli, _project(tmp_path / "b", stale))
    assert results["V-1"]["status"] == "fail" and "(2 records)" in results["V-1"]["samples"][0]["message"]
    assert results["V-2"]["status"] == "fail"                 # where: one record with a channel, and it is high


def test_the_bundled_freshness_rules_fail_on_an_empty_export(cli, tmp_path):
    data = tmp_path / "data" / "crm"
    data.mkdir(parents=True)
    (data / "complaints.csv").write_text("complaint_id,customer_id,channel,category,severity,created_at,"
                                         "first_response_at,closed_at,status,handler_id,escalated,resolution,"
                                         "satisfaction,contact_phone\n", encoding="utf-8")
    run = cli("check", "--data", str(tmp_path / "data"), "--as-of", "2026-06-30", "--allow-missing",
              "--json", str(tmp_path / "r.json"))
    assert run.exit_code == 1, run.stderr
    results = {r["rule_id"]: r for r in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["results"]}
    assert results["CS-011"]["status"] == "fail" and results["CS-011"]["violations"] == 1
    assert results["CI-006"]["status"] == "skipped"          # no interactions export: --allow-missing skips it
    other = [r for r in results.values() if r["dataset"] == "crm.complaints" and r["kind"] in ("row", "aggregate")]
    assert other and {r["status"] for r in other} <= {"pass", "skipped"}   # no records: nothing else to say
    assert any(r["status"] == "pass" for r in other)


def test_a_column_outside_an_aggregate_is_refused_with_a_suggestion(cli, tmp_path):
    rules = RULES.replace("expect: count(*) >= 1 AND max(created_at)", "expect: count(*) >= 1 AND (created_at)")
    _project(tmp_path, None, rules)
    run = cli("lint", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert run.exit_code == 1
    assert "X204" in run.stdout and "outside an aggregate" in run.stdout and "max(" in run.stdout


def test_examples_of_a_dataset_rule_are_cases_and_an_empty_one_is_an_empty_export(cli, tmp_path):
    rules = RULES + """    examples:
      as_of: 2026-06-30
      pass: [[{channel: web, severity: low}, {channel: web, severity: high}], []]
      fail: [[{channel: web, severity: high}]]
"""
    _project(tmp_path, None, rules)
    run = cli("test", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert run.exit_code == 0, run.stdout
    broken = rules.replace("fail: [[{channel: web, severity: high}]]", "fail: [[]]")
    (tmp_path / "rules" / "v.yaml").write_text(broken, encoding="utf-8")
    run = cli("test", str(tmp_path / "rules"), "--schemas", str(tmp_path / "schemas"))
    assert run.exit_code == 1 and "T601" in run.stdout


def test_the_same_verdicts_on_spark(cli, tmp_path):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if REQUIRED:
            pytest.fail("CHECKER_REQUIRE_SPARK=1 but PySpark is not installed")
        pytest.skip("PySpark not installed")
    for name, rows in (("empty", None), ("stale", "C1,K001,phone,high,2026-03-20 09:00:00,,,,\n")):
        tmp = _project(tmp_path / name, rows)
        duck = _run(cli, tmp)
        spark = _run(cli, tmp, "--engine", "spark")
        for rule in ("V-1", "V-2"):
            keep = ("status", "checked", "violations")
            assert {k: spark[rule][k] for k in keep} == {k: duck[rule][k] for k in keep}, (name, rule)
            assert [s["message"] for s in spark[rule]["samples"]] == [s["message"] for s in duck[rule]["samples"]]
