"""Waivers over time: `checker waivers` lists each with its status and approver, `check` warns (W505)
about the ones that expire soon, and the reports show them in a section of their own."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
WAIVERS = """\
- rule: QS-001
  keys: [{complaint_id: C000002}]
  reason: 客戶要求延後回覆
  approved_by: 王經理
  expires: 2026-07-15
- id: W-old
  rule: QS-002
  where: "channel = 'store'"
  reason: store complaints moved to the new system
  approved_by: 李主任
  expires: 2026-05-01
- rule: QS-003
  keys: [{complaint_id: C000004}]
  reason: duplicate export row, vendor fixing it
  approved_by: 王經理
  expires: 2027-01-31
"""


@pytest.fixture
def project(tmp_path):
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, tmp_path / part)
    (tmp_path / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    return tmp_path


def _check(cli, project, *extra):
    return cli("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", "--as-of", "2026-06-30",
               "--waivers", "waivers.yaml", "--json", "r.json", *extra, cwd=project)


def test_check_warns_about_waivers_that_expire_within_the_window(cli, project):
    run = _check(cli, project, "--md", "r.md", "--html", "r.html")
    assert run.exit_code == 1, run.stderr
    warnings = json.loads((project / "r.json").read_text(encoding="utf-8"))["warnings"]
    soon = [w for w in warnings if w["code"] == "W505"]
    assert len(soon) == 1 and soon[0]["location"].endswith("waivers.yaml:1:3")
    assert "W1" in soon[0]["message"] and "in 15 days" in soon[0]["message"] and "王經理" in soon[0]["message"]
    assert sorted(w["code"] for w in warnings if w["code"] in ("W503", "W505")) == ["W503", "W505"]
    md = (project / "r.md").read_text(encoding="utf-8")
    section = md.split("### Waivers expiring soon")[1].split("###")[0]
    assert "| W1 | QS-001 | 2026-07-15 |" in section and "W3" not in section and "W-old" not in section
    assert "Waivers expiring soon" in (project / "r.html").read_text(encoding="utf-8")
    quiet = _check(cli, project, "--waiver-warn-days", "10")
    assert quiet.exit_code == 1
    assert not [w for w in json.loads((project / "r.json").read_text("utf-8"))["warnings"] if w["code"] == "W505"]


def test_checker_waivers_lists_statuses_approvers_and_matches(cli, project):
    run = cli("waivers", "waivers.yaml", "--as-of", "2026-06-30", "--format", "json", cwd=project)
    assert run.exit_code == 0, run.stderr
    rows = json.loads(run.stdout)["waivers"]
    assert [(r["id"], r["status"], r["days_left"]) for r in rows] == [
        ("W-old", "expired", -60), ("W1", "expiring", 15), ("W3", "active", 215)]
    assert rows[1]["approved_by"] == "王經理" and rows[1]["location"].endswith("waivers.yaml:1:3")
    wide = cli("waivers", "waivers.yaml", "--as-of", "2026-06-30", "--within", "300", "--format", "json",
               cwd=project)
    assert [r["status"] for r in json.loads(wide.stdout)["waivers"]] == ["expired", "expiring", "expiring"]
    assert _check(cli, project).exit_code == 1
    matched = cli("waivers", "waivers.yaml", "--as-of", "2026-06-30", "--result", "r.json", "--format", "json",
                  cwd=project)
    assert {r["id"]: r["matched"] for r in json.loads(matched.stdout)["waivers"]} == {"W-old": 0, "W1": 1, "W3": 2}
    text = cli("waivers", "waivers.yaml", "--as-of", "2026-06-30", cwd=project)
    assert "1 expired, 1 expiring within 30 days, 1 active" in text.stdout


def test_checker_waivers_reads_the_configured_file_and_refuses_a_broken_one(cli, project):
    (project / "checker.toml").write_text('waivers = "waivers.yaml"\n', encoding="utf-8")
    run = cli("waivers", "--as-of", "2026-06-30", cwd=project)
    assert run.exit_code == 0 and "W1" in run.stdout, run.stderr
    (project / "waivers.yaml").write_text("- rule: QS-001\n  reason: x\n  expires: 2026-07-01\n", "utf-8")
    broken = cli("waivers", cwd=project)
    assert broken.exit_code == 2 and "waivers.yaml:1:3" in broken.stderr and "approved_by" in broken.stderr
