"""The bundled rule pack and dataset schemas: they lint and test clean, and they are what the
product promises (rule kinds, bilingual texts, params, examples, versions, PII marks)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from checker.load.rulesets import load_rulesets
from checker.load.schemas import load_schemas
from checker.resources import bundled, located

DOMAINS = {"crm", "budget", "appraisal", "marketing"}


@pytest.fixture(scope="module")
def rulesets():
    loaded, problems, _ = load_rulesets([bundled("rules")])
    assert problems == []
    return loaded


def rules_of(rulesets):
    return {rule.id: (rs, rule) for rs in rulesets for rule in rs.model.rules}


def test_bundled_rules_and_schemas_lint_clean(cli):
    run = cli("lint")
    assert run.exit_code == 0, run.stdout
    assert run.stderr.strip() == "0 errors, 0 warnings"


def test_bundled_examples_pass_on_the_sample_date(cli):
    run = cli("test", "--as-of", "2026-06-30")
    assert run.exit_code == 0, run.stdout
    passed = int(re.search(r"(\d+) passed, 0 failed", run.stdout).group(1))
    assert passed >= 2 * 40


def test_at_least_40_rules_of_every_kind(rulesets):
    rules = rules_of(rulesets)
    assert len(rules) >= 40
    kinds = Counter(rule.kind for _, rule in rules.values())
    assert {"row", "unique", "aggregate"} <= set(kinds)
    assert any(rule.join for _, rule in rules.values() if rule.kind == "row")
    assert any(rule.join for _, rule in rules.values() if rule.kind == "aggregate")


def test_every_rule_is_complete(rulesets):
    for rs in rulesets:
        for rule in rs.model.rules:
            assert rule.clauses and rule.title.zh and rule.title.en, rule.id
            assert rule.message is not None and rule.message.zh and rule.message.en, rule.id
            assert rule.examples is not None and rule.examples.pass_ and rule.examples.fail, rule.id
            assert "{{" in rule.message.zh and "{{" in rule.message.en, rule.id


def test_thresholds_are_params(rulesets):
    for rs in rulesets:
        for rule in rs.model.rules:
            text = " ".join(filter(None, [rule.where, rule.expect]))
            for number in re.findall(r"(?<![\w.'%-])(\d+)(?![\w.'-])", text):
                assert int(number) <= 7, f"{rule.id}: threshold {number} belongs in the ruleset's params"
            for name in re.findall(r":([a-z_]+)", text):
                assert name == "as_of" or name in rs.model.params, (rule.id, name)


def test_rulesets_are_grouped_by_topic(rulesets):
    folders = {Path(rs.path).parent.name for rs in rulesets}
    assert {"customer-service", "customer-info", "feedback", "budget", "campaigns", "research", "training",
            "appraisal", "crisis"} <= folders


def test_complaints_ruleset_has_two_versions_with_a_tightened_limit(rulesets):
    versions = sorted((rs for rs in rulesets if rs.model.ruleset == "marketing.complaints"),
                      key=lambda rs: rs.model.version_tuple)
    assert [rs.model.version for rs in versions] == ["1.0.0", "2.0.0"]
    old, new = versions
    assert old.model.effective.to is not None and old.model.effective.to < new.model.effective.from_
    assert new.model.params["high_response_hours"] < old.model.params["high_response_hours"]
    assert new.model.changelog[0].version == "2.0.0"
    added = {r.id for r in new.model.rules} - {r.id for r in old.model.rules}
    assert added == {"CS-010", "CS-011"}
    assert all(rule in new.model.changelog[0].en for rule in added)


def test_dataset_schemas_cover_the_four_domains():
    schemas, problems = load_schemas(bundled("schemas"))
    assert problems == []
    assert len(schemas) >= 12
    assert {name.split(".")[0] for name in schemas} == DOMAINS
    for name, schema in schemas.items():
        raw = json.loads(located(schema.path).read_text(encoding="utf-8"))   # bundled: by its package name
        assert schema.key, name
        assert raw["x-title"]["zh"] and raw["x-title"]["en"], name
        for col in schema.columns.values():
            assert any(re.search(r"[\u4e00-\u9fff]", a) for a in col.aliases), \
                f"{name}.{col.name} has no Chinese header"
            personal = col.name in ("name", "phone", "email", "national_id", "address", "contact_phone")
            if personal and name in ("crm.customers", "appraisal.employees", "crm.complaints"):
                assert col.pii, f"{name}.{col.name} is personal data"


def test_rules_use_only_bundled_datasets(rulesets):
    schemas, _ = load_schemas(bundled("schemas"))
    for rs in rulesets:
        for rule in rs.model.rules:
            assert rule.dataset in schemas
            for join in rule.join or []:
                assert join.dataset in schemas
