"""The rule author's loop: `checker test` runs examples; `lint` checks versions and changelogs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
SCHEMAS = ROOT / "tests" / "cases" / "_shared" / "schemas"


def test_examples_of_every_kind_pass(cli):
    run = cli("test", str(QS / "rules"), "--schemas", str(QS / "schemas"), "--as-of", "2026-06-30")
    assert run.exit_code == 0, run.stdout
    assert run.stdout.strip().splitlines()[-1] == "12 passed, 0 failed"


def test_a_wrong_example_names_rule_file_line_and_expectation(cli, tmp_path):
    text = (QS / "rules" / "customer-service.yaml").read_text(encoding="utf-8")
    bad = text.replace('pass: [[{complaint_id: C000001}, {complaint_id: C000002}]]',
                       'pass: [[{complaint_id: C000001}, {complaint_id: C000001}]]')
    path = tmp_path / "rules.yaml"
    path.write_text(bad, encoding="utf-8")
    run = cli("test", str(path), "--schemas", str(QS / "schemas"), "--as-of", "2026-06-30")
    assert run.exit_code == 1
    line = bad.splitlines().index("      pass: [[{complaint_id: C000001}, {complaint_id: C000001}]]") + 1
    assert (f"{path}:{line}:14: T601 rule QS-003 (quickstart.customer-service 1.0.0): example pass[0] should pass "
            "but gives 2 violations") in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "11 passed, 1 failed"


def test_time_relative_examples_use_the_fixed_clock(cli):
    # QS-002 judges complaints older than 7 days on --as-of; on 2026-03-02 nothing is old enough
    run = cli("test", str(QS / "rules"), "--schemas", str(QS / "schemas"), "--as-of", "2026-03-02")
    assert run.exit_code == 1
    assert "QS-002" in run.stdout and "example fail[0] should fail but gives no violation" in run.stdout


def _ruleset(path: Path, version: str, effective: str, hours: int, changelog: str = "", extra: str = "") -> None:
    path.write_text(textwrap.dedent(f"""\
        ruleset: cases.versions
        version: {version}
        title: {{zh: 版本, en: Versions}}
        effective: {effective}
        params: {{hours: {hours}}}
        {changelog}
        rules:
          - id: VER-001
            title: {{zh: 響應, en: Response}}
            clauses: [M1.2]
            severity: high
            dataset: crm.complaints
            expect: first_response_at <= created_at + to_hours(:hours)
            message: {{zh: "投訴 {{{{ complaint_id }}}}", en: "Complaint {{{{ complaint_id }}}}"}}
            examples:
              pass: [{{created_at: "2026-01-01T00:00:00", first_response_at: "2026-01-01T01:00:00"}}]
        {extra}"""), encoding="utf-8")


def _lint(cli, folder: Path) -> list[str]:
    run = cli("lint", str(folder), "--schemas", str(SCHEMAS))
    return [line.split(": ", 1)[1] for line in run.stdout.splitlines() if ": " in line]


def test_lint_flags_overlapping_versions_and_patch_bumps_that_change_logic(cli, tmp_path):
    _ruleset(tmp_path / "v1.yaml", "1.0.0", "{from: 2025-01-01, to: 2025-12-31}", 48)
    _ruleset(tmp_path / "v1b.yaml", "1.0.1", "{from: 2025-06-01}", 24)
    problems = _lint(cli, tmp_path)
    assert any(p.startswith("R131 ruleset cases.versions 1.0.1 is in force on days when 1.0.0") for p in problems)
    assert any(p.startswith("R133 rule VER-001 judges differently in 1.0.1 than in 1.0.0") for p in problems)


def test_lint_accepts_a_clean_minor_bump(cli, tmp_path):
    _ruleset(tmp_path / "v1.yaml", "1.0.0", "{from: 2025-01-01, to: 2025-12-31}", 48)
    _ruleset(tmp_path / "v2.yaml", "1.1.0", "{from: 2026-01-01}", 24,
             changelog="changelog: [{version: 1.1.0, date: 2026-01-01, zh: 收緊, en: tightened}]")
    assert not [p for p in _lint(cli, tmp_path) if not p.startswith("W")]


def test_lint_flags_duplicate_versions_and_changelog_mismatch(cli, tmp_path):
    _ruleset(tmp_path / "a.yaml", "1.0.0", "{from: 2025-01-01, to: 2025-06-30}", 48,
             changelog="changelog: [{version: 0.9.0, date: 2025-01-01, zh: 舊, en: old}]")
    _ruleset(tmp_path / "b.yaml", "1.0.0", "{from: 2025-07-01}", 48)
    problems = _lint(cli, tmp_path)
    assert any(p.startswith("R130 version 1.0.0 of ruleset cases.versions is also defined in") for p in problems)
    assert ("R132 the newest changelog entry is 0.9.0, but this file is version 1.0.0; "
            "add an entry for this version at the top") in problems


def test_lint_flags_disabling_a_rule_that_is_not_inherited(cli, tmp_path):
    base = ROOT / "tests" / "cases" / "extends" / "inherit" / "rules"
    for f in base.iterdir():
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    north = tmp_path / "north.yaml"
    north.write_text(north.read_text(encoding="utf-8").replace("  EXT-002:", "  EXT-020:"), encoding="utf-8")
    problems = _lint(cli, tmp_path)
    assert "R142 ruleset cases.north disables 'EXT-020', which it does not inherit; did you mean 'EXT-002'?" in problems


def test_explain_shows_where_effective_values_come_from(cli):
    rules = ROOT / "tests" / "cases" / "extends" / "inherit" / "rules"
    run = cli("explain", "EXT-001", "--rules", str(rules), "--schemas", str(SCHEMAS), "--as-of", "2026-06-30")
    assert run.exit_code == 0, run.stderr
    assert f"inherited from: cases.base 1.0.0 ({rules / 'base.yaml'}:7:9), through extends: [cases.base]" in run.stdout
    assert f"high_response_hours from cases.north 1.0.0 ({rules / 'north.yaml'})" in run.stdout
    run = cli("explain", "EXT-002", "--rules", str(rules), "--schemas", str(SCHEMAS), "--as-of", "2026-06-30")
    assert "disabled in: cases.north 1.0.0" in run.stdout and "records the channel itself" in run.stdout


def test_a_rule_that_does_not_compile_is_exit_2_and_the_summary_says_so(cli, tmp_path):
    text = (QS / "rules" / "customer-service.yaml").read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("expect: cust.customer_id IS NOT NULL", "expect: cust.customer_idd IS NOT NULL"),
                    encoding="utf-8")
    run = cli("test", str(path), "--schemas", str(QS / "schemas"), "--as-of", "2026-06-30")
    assert run.exit_code == 2
    assert " R112 " in run.stdout
    assert run.stdout.strip().splitlines()[-1].endswith("; 1 problem kept rules from running (see above)")
