"""Lint reports every problem of every file in one run, each at the token that causes it."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

SCHEMAS = ROOT / "tests" / "cases" / "_shared" / "schemas"
HEAD = "ruleset: t.lint\nversion: 1.0.0\ntitle: {zh: t, en: t}\neffective: {from: 2026-01-01}\nrules:\n"


def _rule(rid: str, body: str) -> str:
    return f"  - id: {rid}\n    title: {{zh: t, en: t}}\n    clauses: [M1.2]\n{body}"


def _errors(run) -> list[str]:
    return [line for line in run.stdout.splitlines() if " W5" not in line]


def _line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def test_a_model_error_in_one_rule_hides_no_other_problem(cli, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(HEAD
                     + _rule("A-001", "    severty: high\n    severity: extreme\n    dataset: crm.complaints\n"
                                      "    expect: severity = 'high'\n")
                     + _rule("A-002", "    severity: high\n    dataset: crm.complaints\n"
                                      "    expect: \"severity = 'x' AND sevrity = 'high'\"\n")
                     + _rule("A-003", "    severity: high\n    dataset: crm.complaint\n    expect: severity = 'high'\n")
                     + _rule("A-004", "    severity: high\n    dataset: crm.complaints\n    where: created_at > 5\n"
                                      "    expect: severity = 'high'\n"),
                     encoding="utf-8")
    run = cli("lint", str(rules), "--schemas", str(SCHEMAS))
    assert run.exit_code == 1
    got = {line.split(": ", 1)[1].split(" ", 1)[0]: line.split(": ", 1)[0] for line in _errors(run)}
    # every problem, each at its own token: the key, the value, the column inside the quoted text, the clause
    assert got["R101"] == f"{rules}:{_line_of(rules, '    severty: high')}:5"
    assert got["R104"] == f"{rules}:{_line_of(rules, '    severity: extreme')}:15"
    expect = "    expect: \"severity = 'x' AND sevrity = 'high'\""
    assert got["R112"] == f"{rules}:{_line_of(rules, expect)}:{expect.index('sevrity') + 1}"
    assert got["R111"] == f"{rules}:{_line_of(rules, '    dataset: crm.complaint')}:14"
    assert got["X206"] == f"{rules}:{_line_of(rules, '    where: created_at > 5')}:12"
    assert len(_errors(run)) == 5, run.stdout


def test_a_salvaged_file_still_does_not_run(cli, tmp_path):
    """Lint sets invalid rules aside to check the rest; check refuses the whole file."""
    rules = tmp_path / "r.yaml"
    rules.write_text(HEAD + _rule("A-001", "    severity: extreme\n    dataset: crm.complaints\n    expect: TRUE\n")
                     + _rule("A-002", "    severity: high\n    dataset: crm.complaints\n    expect: TRUE\n"),
                     encoding="utf-8")
    (tmp_path / "data" / "crm").mkdir(parents=True)
    (tmp_path / "data" / "crm" / "complaints.csv").write_text("complaint_id\nC1\n", encoding="utf-8")
    run = cli("check", "--data", str(tmp_path / "data"), "--rules", str(rules), "--schemas", str(SCHEMAS),
              "--allow-missing", "--json", str(tmp_path / "r.json"))
    assert run.exit_code == 2 and "R104" in run.stderr and run.result is None


def test_a_bad_time_in_yaml_is_reported_where_it_stands(cli, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(HEAD + _rule("A-001", "    severity: high\n    dataset: crm.complaints\n    expect: TRUE\n"
                                           "    examples:\n      pass: [{created_at: 2026-03-01T25:00:00}]\n"),
                     encoding="utf-8")
    run = cli("lint", str(rules), "--schemas", str(SCHEMAS))
    line = next(line for line in run.stdout.splitlines() + run.stderr.splitlines() if "Y001" in line)
    text = "      pass: [{created_at: 2026-03-01T25:00:00}]"
    assert line.startswith(f"{rules}:{_line_of(rules, text)}:{text.index('2026') + 1}: Y001"), line
