"""`checker diff`: rule changes between trees, git revisions, and JSON/Markdown output."""

from __future__ import annotations

import json
import shutil
import subprocess

from conftest import ROOT

CASE = ROOT / "tests" / "cases" / "diff" / "with-data"
SCHEMAS = ROOT / "tests" / "cases" / "_shared" / "schemas"
DATA = ROOT / "tests" / "cases" / "kinds" / "row" / "data"


def test_json_lists_keys_params_and_impact(cli):
    run = cli("diff", str(CASE / "old"), str(CASE / "new"), "--data", str(DATA), "--schemas", str(SCHEMAS),
              "--as-of", "2026-06-30", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["rulesets"] == [{"ruleset": "cases.row", "status": "changed", "old_version": "1.0.0",
                                "new_version": "1.1.0", "params": {"high_response_hours": {"old": 72, "new": 24}}}]
    row1 = next(r for r in out["rules"] if r["rule_id"] == "ROW-001")
    assert row1["status"] == "changed" and row1["before"] == 1 and row1["after"] == 2
    assert row1["newly_failing"] == [{"complaint_id": "C000002"}] and row1["newly_passing"] == []


def test_markdown_is_a_table_for_pull_requests(cli):
    run = cli("diff", str(CASE / "old"), str(CASE / "new"), "--format", "md", "--as-of", "2026-06-30")
    assert run.exit_code == 0
    assert "| cases.row | ROW-001 | changed | `params.high_response_hours`: 72 → 24 |" in run.stdout


def test_added_and_removed_rules(cli, tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    text = (CASE / "new" / "row.yaml").read_text(encoding="utf-8")
    cut = text.index("  - id: ROW-002")
    (new / "row.yaml").write_text(text[:cut].replace("id: ROW-001", "id: ROW-011"), encoding="utf-8")
    run = cli("diff", str(CASE / "old"), str(new), "--as-of", "2026-06-30")
    assert "added     ROW-011" in run.stdout and "removed   ROW-001" in run.stdout and "removed   ROW-002" in run.stdout


def test_git_revisions(cli, tmp_path):
    repo = tmp_path / "repo"
    (repo / "rules").mkdir(parents=True)
    shutil.copy(CASE / "old" / "row.yaml", repo / "rules" / "row.yaml")
    git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "old")
    shutil.copy(CASE / "new" / "row.yaml", repo / "rules" / "row.yaml")
    run = cli("diff", "git:HEAD", "rules", "--as-of", "2026-06-30", cwd=repo)
    assert run.exit_code == 0, run.stderr
    assert "param high_response_hours: 72 -> 24" in run.stdout
    bad = cli("diff", "git:no-such-rev", "rules", cwd=repo)
    assert bad.exit_code == 2 and "cannot read rules at no-such-rev" in bad.stderr
