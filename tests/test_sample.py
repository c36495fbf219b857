"""`checker sample`: realistic exports in every format, deterministic for a seed, with an answer key
that the engine matches exactly for every bundled rule: no more, no fewer violations."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.load.rulesets import load_rulesets
from checker.resources import bundled

ARGS = ["--rows", "2000", "--seed", "7"]


def invoke(*args: str):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "data"
    res = invoke("sample", "--out", str(out), *ARGS)
    assert res.exit_code == 0, res.output
    assert "expected.json" in res.output
    return out


@pytest.fixture(scope="module")
def checked(sample, tmp_path_factory):
    work = tmp_path_factory.mktemp("checked")
    res = invoke("check", "--data", str(sample), "--as-of", "2026-06-30", "--json", str(work / "r.json"),
                 "--violations-out", str(work / "v.parquet"), "-q")
    assert res.exit_code == 1, res.output           # it finds the planted violations
    result = json.loads((work / "r.json").read_text(encoding="utf-8"))
    violations = pq.read_table(work / "v.parquet").to_pylist()
    return result, violations


def bundled_rule_ids() -> set[str]:
    rulesets, _, _ = load_rulesets([bundled("rules")])
    return {rule.id for rs in rulesets for rule in rs.model.rules}


#: the values planted in the exports that declare a dialect and that match none of its spellings
UNMATCHED = {"schema:budget.expenses.paid_on:format", "schema:marketing.research_reports.sample_size:type"}


#: the bundled dataset rules (volume and freshness): the sample's exports are complete and current, so they
#: pass there; tests/test_dataset_rules.py makes them fail on empty and stale exports
DATASET_RULES = {"CS-011", "CI-006"}


def test_answer_key_plants_every_bundled_rule(sample):
    key = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    assert set(key) == (bundled_rule_ids() - DATASET_RULES) | UNMATCHED
    assert all(key[rule] for rule in key)
    assert all(len(key[check]) == 1 for check in UNMATCHED)


def test_engine_finds_exactly_the_planted_violations(sample, checked):
    result, violations = checked
    key = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    found: dict[str, Counter] = {}
    for v in violations:
        found.setdefault(v["rule_id"], Counter())[v["key"]] += 1
    wrong = {}
    for rule in sorted(set(key) | set(found)):
        want = Counter(json.dumps(k, ensure_ascii=False, sort_keys=True) for k in key.get(rule, []))
        got = found.get(rule, Counter())
        if want != got:
            wrong[rule] = {"missed": sorted(want - got), "unexpected": sorted(got - want)}
    assert wrong == {}
    by_rule = {r["rule_id"]: r for r in result["results"]}
    for rule, keys in key.items():
        assert by_rule[rule]["status"] == "fail" and by_rule[rule]["violations"] == len(keys), rule
    for rule in DATASET_RULES:
        assert by_rule[rule]["status"] == "pass" and by_rule[rule]["checked"] == 1, rule


def test_sample_is_structurally_clean_and_complete(checked):
    result, violations = checked
    assert result["warnings"] == []
    # structurally clean but for the two values planted to match no declared spelling
    assert {v["rule_id"] for v in violations if v["rule_id"].startswith("schema:")} == UNMATCHED
    assert result["summary"]["errored"] == 0 and result["summary"]["skipped"] == 0
    assert {i["dataset"] for i in result["inputs"]} == {f"{d}.{n}" for d, n in (
        ("crm", "customers"), ("crm", "interactions"), ("crm", "complaints"), ("crm", "surveys"), ("crm", "access_log"),
        ("crm", "feedback"), ("budget", "lines"), ("budget", "expenses"), ("budget", "approvals"),
        ("appraisal", "employees"), ("appraisal", "appraisals"), ("appraisal", "kpis"), ("appraisal", "trainings"),
        ("marketing", "campaigns"), ("marketing", "research_reports"), ("marketing", "incidents"))}
    rows = {i["dataset"]: i["rows"] for i in result["inputs"]}
    assert rows["crm.complaints"] > 2000 and rows["crm.interactions"] == 2000


def test_versions_judge_records_by_their_own_date(checked):
    result, _ = checked
    cs002 = next(r for r in result["results"] if r["rule_id"] == "CS-002")
    judged = {v["version"]: v for v in cs002["versions"]}
    assert set(judged) == {"1.0.0", "2.0.0"} and all(v["checked"] > 0 for v in judged.values())
    # one 2025 complaint answered after 50 h (over v1's 48 h); two 2026 ones after 26 and 30 h (over v2's 24 h);
    # a 2025 complaint answered after 30 h is within v1's limit and not a violation
    assert judged["1.0.0"]["violations"] == 1 and judged["2.0.0"]["violations"] == 2
    cs010 = next(r for r in result["results"] if r["rule_id"] == "CS-010")
    assert {v["version"] for v in cs010["versions"]} == {"2.0.0"}


def test_some_exports_are_spelled_as_taiwanese_systems_write_them(sample):
    """NT$ amounts and 民國 dates, full-width digits, 是/否, each declared on its datasets.yaml entry."""
    from checker.load.yamlio import load_file

    manifest = load_file(sample / "datasets.yaml").data
    assert manifest["budget.expenses"]["dialect"] == {"formats": ["roc:%Y/%m/%d"], "thousands": ",",
                                                      "currency": ["NT$"]}
    assert manifest["crm.complaints"]["dialect"]["true"] == ["是"]
    assert manifest["marketing.research_reports"]["dialect"]["normalize"] == "nfkc"
    expenses = (sample / "budget" / "expenses.csv").read_text(encoding="utf-8-sig").splitlines()
    first = next(csv.reader(expenses[1:2]))
    assert first[7].startswith("NT$") and first[8].startswith("114/")
    reports = (sample / "marketing" / "research_reports.csv").read_text(encoding="utf-8")
    assert "２０２５－" in reports and "１８人" in reports  # noqa: RUF001  (full-width, as exported)
    complaints = (sample / "客戶投訴記錄.csv").read_bytes().decode("gb18030")
    assert '"是"' in complaints and '"否"' in complaints and "true" not in complaints


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(sample, tmp_path):
    again = tmp_path / "again"
    assert invoke("sample", "--out", str(again), *ARGS).exit_code == 0
    assert digest(again) == digest(sample)
    other = tmp_path / "other"
    assert invoke("sample", "--out", str(other), "--rows", "2000", "--seed", "8").exit_code == 0
    assert digest(other)["客戶投訴記錄.csv"] != digest(sample)["客戶投訴記錄.csv"]


def test_formats_are_the_ones_real_exports_come_in(sample):
    manifest = (sample / "datasets.yaml").read_text(encoding="utf-8")
    assert "crm.complaints: {path: 客戶投訴記錄.csv, encoding: gb18030, dialect: {" in manifest
    raw = (sample / "客戶投訴記錄.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gb18030").splitlines()[0].split(",")
    assert header[:3] == ["投訴編號", "客戶編號", "投訴渠道"]
    with zipfile.ZipFile(sample / "市場部預算.xlsx") as book:
        assert "xl/workbook.xml" in book.namelist()
        assert "預算科目" in book.read("xl/workbook.xml").decode("utf-8")
    lines = (sample / "crm" / "surveys.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["survey_id"].startswith("S") for line in lines)
    table = pq.read_table(sample / "crm" / "interactions.parquet")
    assert table.num_rows == 2000 and "occurred_at" in table.column_names
    assert isinstance(json.loads((sample / "appraisal" / "trainings.json").read_text(encoding="utf-8")), list)
    assert (sample / "budget" / "expenses.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_keys_join_across_datasets(sample):
    import csv

    customers = {r["customer_id"] for r in csv.DictReader((sample / "crm" / "customers.csv").open(encoding="utf-8"))}
    interactions = pq.read_table(sample / "crm" / "interactions.parquet", columns=["customer_id"]).column(0).to_pylist()
    assert set(interactions) <= customers
    surveys = {json.loads(line)["customer_id"] for line in (sample / "crm" / "surveys.jsonl").open(encoding="utf-8")}
    assert surveys <= customers


def test_rows_out_of_range_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--rows", "10"])
    assert res.exit_code == 2
    assert "--rows" in res.output
