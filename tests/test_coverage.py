"""`checker coverage`: each clause with the rules and manual controls covering it, in text, JSON and
Markdown; clauses nothing covers are listed and fail the command."""

from __future__ import annotations

import json

from catalog_support import mini_pack


def test_json_lists_every_clause_with_its_coverage(cli):
    run = cli("coverage", "--format", "json")
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["summary"]["clauses"] == len(data["clauses"]) == 45
    assert data["uncovered"] == [] and data["unknown_clauses"] == []
    by_id = {c["id"]: c for c in data["clauses"]}
    assert [r["id"] for r in by_id["M1.2"]["rules"]][:3] == ["CS-001", "CS-002", "CS-003"]
    assert by_id["M1.2"]["rules"][1]["versions"] == ["1.0.0", "2.0.0"]
    assert by_id["M2.3"]["status"] == "manual" and by_id["M2.3"]["manual_controls"][0]["evidence"]["en"]
    manual_only = sorted(c["id"] for c in data["clauses"] if c["status"] == "manual")
    assert data["summary"]["manual_only"] == len(manual_only)
    assert manual_only == ["M2.3", "M3.1", "M3.3", "M4.6", "M6.4", "M7.4"]


def test_text_shows_rules_and_manual_controls_per_clause(cli):
    run = cli("coverage", "--lang", "en")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert "M1  Customer management" in lines
    assert "  M2.3  Brand building  [manual]" in lines
    at = lines.index("  M1.5  Staff training and incentives  [auto]")
    assert lines[at + 1].strip().startswith("rules: ") and "TR-002" in lines[at + 1]
    assert lines[-1].startswith("45 of 45 clauses covered: 39 by rules") and lines[-1].endswith("0 uncovered")


def test_markdown_has_a_table_per_regulation(cli):
    run = cli("coverage", "--format", "md", "--lang", "zh")
    assert run.exit_code == 0
    assert run.stdout.count("| 條款 | 標題 | 規則 | 人工控制 |") == 7
    assert "| M2.3 | 品牌建設 | — | `MC-M2.3-1`" in run.stdout


def test_an_uncovered_clause_is_listed_and_fails(cli, tmp_path):
    mini_pack(tmp_path, "M1.1")
    run = cli("coverage", "--rules", str(tmp_path), "--format", "json")
    assert run.exit_code == 1
    data = json.loads(run.stdout)
    assert data["uncovered"] == ["M1.2"]
    text = cli("coverage", "--rules", str(tmp_path), "--lang", "en")
    assert text.exit_code == 1
    assert "  M1.2  Service standards  [UNCOVERED]" in text.stdout.splitlines()
    assert text.stdout.splitlines()[-1].endswith("1 uncovered: M1.2")
