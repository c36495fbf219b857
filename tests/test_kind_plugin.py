"""A rule kind registered from outside runs end to end: check, lint, explain, and its examples.

The toy kind (``tests/toy_kind.py``, ``not_null: [col, ...]``) is one module and one
``kinds.register`` call; it is unregistered after each test so no other test sees it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

from checker.compile import kinds
from checker.compile.rules import compile_rules
from checker.engine.duckdb import DuckDBEngine
from checker.load.project import load_project
from conftest import ROOT

sys.path.insert(0, str(Path(__file__).parent))
import toy_kind

CASE = ROOT / "tests" / "cases" / "kinds" / "row"
SCHEMAS = ROOT / "tests" / "cases" / "_shared" / "schemas"

RULES = """\
ruleset: cases.toy
version: 1.0.0
title: {zh: 玩具種類, en: A toy kind}
effective: {from: 2026-01-01}
rules:
  - id: NN-001
    title: {zh: 高等級投訴須有響應與結案時間, en: High-severity complaints have response and closing times}
    clauses: [M1.4]
    severity: medium
    dataset: crm.complaints
    where: severity = 'high'
    not_null: [first_response_at, closed_at]
    message: {zh: "投訴 {{ complaint_id }} 缺少時間", en: "Complaint {{ complaint_id }} lacks a time"}
    examples:
      pass: [{complaint_id: C000001, customer_id: K1, severity: high, created_at: "2026-03-01 09:00:00",
              first_response_at: "2026-03-01 10:00:00", closed_at: "2026-03-02 09:00:00"}]
      fail: [{complaint_id: C000002, customer_id: K1, severity: high, created_at: "2026-03-01 09:00:00"}]
"""


@pytest.fixture
def toy():
    name = toy_kind.register()
    yield name
    kinds.unregister(name)


@pytest.fixture
def project(tmp_path):
    shutil.copytree(CASE / "data", tmp_path / "data")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "toy.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def test_a_registered_kind_is_told_apart_by_its_key(toy, project):
    loaded = load_project([project / "rules"], SCHEMAS)
    (rule,) = loaded.rulesets[0].model.rules
    assert rule.kind == toy
    assert rule.plugin_value == ["first_response_at", "closed_at"]
    assert kinds.of(rule).name == toy


def test_without_the_kind_its_key_is_an_unknown_key(cli, project):
    run = cli("lint", str(project / "rules"), "--schemas", str(SCHEMAS))
    assert run.exit_code == 1
    assert "R101 unknown key 'not_null'" in run.stdout


def test_check_runs_the_kind_in_the_fused_scan(toy, cli, project):
    run = cli("check", "--data", "data", "--rules", "rules", "--schemas", str(SCHEMAS), "--as-of", "2026-06-30",
              "--allow-missing", "--json", "out.json", cwd=project)
    assert run.exit_code == 1, run.stdout + run.stderr
    (result,) = [r for r in run.result["results"] if r["rule_id"] == "NN-001"]
    assert result["kind"] == toy
    assert (result["status"], result["checked"], result["violations"]) == ("fail", 3, 1)
    (sample,) = result["samples"]
    assert (sample["row"], sample["key"]) == (4, {"complaint_id": "C000004"})
    assert sample["message"] == "Complaint C000004 lacks a time"
    assert sample["messages"]["zh"] == "投訴 C000004 缺少時間"
    assert result["versions"] == [{"version": "1.0.0", "checked": 3, "violations": 1, "waived": 0,
                                   "sql": result["sql"]}]
    assert '"first_response_at" IS NULL' in result["sql"]
    assert len(result["fingerprints"]) == 1


def test_a_waiver_covers_a_record_of_the_kind(toy, cli, project):
    (project / "waivers.yaml").write_text(
        "- {id: W-1, rule: NN-001, keys: [{complaint_id: C000004}], reason: being fixed, "
        "approved_by: qa, expires: 2027-01-01}\n", encoding="utf-8")
    run = cli("check", "--data", "data", "--rules", "rules", "--schemas", str(SCHEMAS), "--as-of", "2026-06-30",
              "--allow-missing", "--waivers", "waivers.yaml", "--json", "out.json", cwd=project)
    assert run.exit_code == 0, run.stdout + run.stderr
    (result,) = [r for r in run.result["results"] if r["rule_id"] == "NN-001"]
    assert (result["status"], result["violations"], result["waived"]) == ("pass", 0, 1)
    assert result["waived_samples"][0]["waiver"] == "W-1"


def test_lint_checks_the_kind_and_blames_its_key(toy, cli, project):
    assert cli("lint", str(project / "rules"), "--schemas", str(SCHEMAS)).exit_code == 0
    path = project / "rules" / "toy.yaml"
    path.write_text(RULES.replace("closed_at]", "closed_on]"), encoding="utf-8")
    run = cli("lint", str(path), "--schemas", str(SCHEMAS))
    assert run.exit_code == 1
    line = RULES.splitlines().index("    not_null: [first_response_at, closed_at]") + 1
    assert f"{path}:{line}:" in run.stdout
    assert "R112 rule NN-001: unknown column 'closed_on' in not_null (dataset crm.complaints)" in run.stdout
    assert "did you mean 'closed_at'" in run.stdout


def test_the_key_cannot_be_combined_with_another_kind(toy, cli, project):
    path = project / "rules" / "toy.yaml"
    path.write_text(RULES.replace("    not_null:", "    expect: closed_at IS NOT NULL\n    not_null:"),
                    encoding="utf-8")
    run = cli("lint", str(path), "--schemas", str(SCHEMAS))
    assert run.exit_code == 1
    assert "a rule has one kind: 'not_null' cannot be combined with 'expect', 'unique', 'group_by'" in run.stdout


def test_explain_shows_the_kind_its_key_and_its_sql(toy, cli, project):
    run = cli("explain", "NN-001", "--rules", str(project / "rules"), "--schemas", str(SCHEMAS),
              "--as-of", "2026-06-30")
    assert run.exit_code == 0, run.stdout
    assert "not_null rule on crm.complaints" in run.stdout
    assert "  not_null: first_response_at, closed_at" in run.stdout
    assert '"closed_at" IS NULL' in run.stdout


def _example_tables(engine, rule, item, schemas):
    records = item if isinstance(item, list) else [item]
    return {rule.dataset: engine.load_records(schemas[rule.dataset], records, "example")}


def test_the_kind_counts_the_violations_of_its_examples(toy, project):
    loaded = load_project([project / "rules"], SCHEMAS)
    (rule,), problems = compile_rules(loaded.rulesets, loaded.schemas, dt.date(2026, 6, 30))
    assert problems == []
    examples = rule.rule.examples
    with DuckDBEngine() as engine:
        found = {}
        for expect, item in (("pass", examples.pass_[0]), ("fail", examples.fail[0])):
            tables = _example_tables(engine, rule, item, loaded.schemas)
            found[expect] = kinds.of(rule).example_violations(engine, rule, lambda ds, t=tables: t[ds].table)
    assert found == {"pass": 0, "fail": 1}


def test_registering_a_name_twice_is_refused(toy):
    with pytest.raises(ValueError, match="already"):
        toy_kind.register()
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.REGISTRY["row"])


def test_checker_test_runs_the_kinds_examples(toy, project, cli):
    """`checker test` judges a registered kind's examples through the kind itself."""
    passing = cli("test", str(project / "rules"), "--schemas", str(SCHEMAS), "--as-of", "2026-06-30")
    assert passing.exit_code == 0, passing.stdout + passing.stderr
    assert "2" in passing.stdout and "T60" not in passing.stdout + passing.stderr
    wrong = RULES.replace("fail: [{complaint_id: C000002", "pass: [{complaint_id: C000002", 1).replace(
        "      pass: [{complaint_id: C000001", "      fail: [{complaint_id: C000001", 1)
    (project / "rules" / "toy.yaml").write_text(wrong, encoding="utf-8")
    failing = cli("test", str(project / "rules"), "--schemas", str(SCHEMAS), "--as-of", "2026-06-30")
    assert failing.exit_code == 1
    assert failing.stdout.count("T601") + failing.stderr.count("T601") == 2
