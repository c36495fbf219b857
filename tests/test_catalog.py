"""The regulation catalog: exactly the clauses of regulations.md, clean bilingual text, and the
catalog's own problems and unknown clause ids reported by `checker lint` with positions."""

from __future__ import annotations

import re

import pytest

from catalog_support import mini_pack
from checker.catalog import load_catalog
from checker.coverage import coverage
from conftest import ROOT

# Simplified-only characters that must not appear in the Traditional text.
SIMPLIFIED = set("这们说规务质发团队销业评标进对资应关户门议确优势营") - set("們")
GLOSS = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")


def regulation_clause_ids() -> list[str]:
    text = (ROOT / "docs" / "regulations.md").read_text(encoding="utf-8")
    return re.findall(r"^- (M[1-7]\.\d+) ", text, flags=re.M)


def test_catalog_has_exactly_the_clauses_of_regulations_md():
    ids = regulation_clause_ids()
    assert len(ids) == len(set(ids)) == 45
    catalog = load_catalog()
    assert list(catalog.clauses) == ids
    assert [r.id for r in catalog.model.regulations] == [f"M{n}" for n in range(1, 8)]


def test_every_title_and_summary_is_bilingual_clean_traditional_chinese():
    catalog = load_catalog()
    texts = []
    for reg in catalog.model.regulations:
        texts += [reg.title, reg.summary]
        for clause in reg.clauses:
            texts += [clause.title, clause.summary]
            for control in clause.manual_controls:
                assert control.evidence.zh and control.evidence.en
                texts.append(control.evidence)
    for t in texts:
        assert t.zh.strip() and t.en.strip()
        assert not GLOSS.search(t.zh), t.zh
        assert "(" not in t.zh, t.zh      # the source's glosses are bracketed pinyin
        assert not SIMPLIFIED & set(t.zh), (t.zh, SIMPLIFIED & set(t.zh))
        assert re.search(r"[\u4e00-\u9fff]", t.zh) and re.search(r"[A-Za-z]", t.en)


def test_every_clause_is_covered_by_a_rule_or_a_manual_control():
    cov = coverage()
    assert cov.uncovered == []
    for clause in cov.clauses:
        assert clause.rules or clause.manual_controls, clause.id
        if not clause.rules:  # manual-only: an auditor needs the question and the evidence
            assert all(m.evidence.en for m in clause.manual_controls)


def test_every_bundled_rule_cites_existing_clauses():
    assert coverage().unknown == []


@pytest.fixture
def pack(tmp_path):
    """A rule folder with its own catalog: one rule citing a clause the catalog lacks."""
    return mini_pack(tmp_path, "M1.1, M1.21", extra=(
        '    message: {zh: "客戶 {{ customer_id }} 沒有姓名", en: "Customer {{ customer_id }} has no name"}\n'
        "    examples: {pass: [{name: 王小明}], fail: [{name: null}]}\n"))


def test_lint_reports_an_unknown_clause_id_with_position_and_suggestion(cli, pack):
    run = cli("lint", str(pack))
    assert run.exit_code == 1
    assert (f"{pack / 'r.yaml'}:8:21: R115 rule MINI-001 cites clause 'M1.21', which is not in the catalog; "
            "did you mean 'M1.2'?") in run.stdout


def test_lint_reports_catalog_model_problems_with_positions(cli, pack):
    path = pack / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  summary: {zh: 服務標準, en: Service standards}",
                                 "  sumary: {zh: 服務標準, en: Service standards}"), encoding="utf-8")
    run = cli("lint", str(pack))
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert f"{path}:15:11: R101 unknown key 'sumary'; did you mean 'summary'?" in lines
    assert f"{path}:13:11: R102 missing required key 'summary' in catalog.regulations[0].clauses[1]" in lines


def test_lint_reports_a_clause_under_the_wrong_regulation(cli, pack):
    path = pack / "catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: M1.1\n", "- id: M2.1\n"), encoding="utf-8")
    run = cli("lint", str(pack))
    assert run.exit_code == 1
    assert f"{path}:10:15: R104 clause 'M2.1' is listed under regulation M1; clause ids of M1 start with 'M1.'" \
        in run.stdout.splitlines()


def test_lint_reports_duplicate_catalog_ids(cli, pack):
    path = pack / "catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: M1.2\n", "- id: M1.1\n"), encoding="utf-8")
    run = cli("lint", str(pack))
    assert run.exit_code == 1
    assert (f"{path}:13:15: R104 duplicate catalog id 'M1.1' (first at line 10); regulation, clause and "
            "manual-control ids are unique in the catalog") in run.stdout.splitlines()
