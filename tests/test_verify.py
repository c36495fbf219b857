"""`checker verify`: an auditor receiving a result file can confirm it, or see exactly what differs."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
WAIVERS = """\
- rule: QS-003
  keys: [{complaint_id: C000004}]
  reason: duplicate export row, vendor fixing it
  approved_by: 王經理
  expires: 2027-01-31
"""


@pytest.fixture
def checked(cli, tmp_path):
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, tmp_path / part)
    (tmp_path / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    run = cli("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", "--as-of", "2026-06-30",
              "--waivers", "waivers.yaml", "--fail-on", "high", "--max-samples", "3", "--json", "result.json",
              cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    return tmp_path


def test_an_untouched_run_is_reproduced(cli, checked):
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "reproduced: result.json" in run.stdout
    result = json.loads((checked / "result.json").read_text(encoding="utf-8"))
    assert result["run"]["max_samples"] == 3 and result["waiver_file"]["path"] == "waivers.yaml"
    assert [s["path"] for s in result["schemas"]] == ["schemas/crm/complaints.schema.json",
                                                      "schemas/crm/customers.schema.json"]


def test_a_changed_export_is_each_difference(cli, checked):
    export = checked / "data" / "crm" / "complaints.csv"
    export.write_text(export.read_text(encoding="utf-8").replace("2026-03-04 09:00:00", "2026-03-02 10:00:00", 1),
                      encoding="utf-8")
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 1
    assert "not reproduced" in run.stdout and "inputs.0.sha256" in run.stdout
    assert "QS-001" in run.stdout or "summary" in run.stdout


def test_a_tampered_result_is_refused(cli, checked):
    path = checked / "result.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    result["summary"]["violations"] -= 1
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 1 and "summary.violations" in run.stdout


def test_changed_rules_schemas_and_waivers_are_differences(cli, checked):
    (checked / "waivers.yaml").write_text(WAIVERS.replace("2027-01-31", "2027-03-31"), encoding="utf-8")
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 1 and "waiver file waivers.yaml: its SHA-256 differs" in run.stdout
    (checked / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    rule = checked / "rules" / "customer-service.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("closure_days: 7", "closure_days: 6"), "utf-8")
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 1 and "rulesets.0.sha256" in run.stdout


def test_a_missing_file_is_a_usage_error(cli, checked):
    (checked / "waivers.yaml").unlink()
    run = cli("verify", "result.json", cwd=checked)
    assert run.exit_code == 2 and "waivers.yaml" in run.stderr
    assert cli("verify", "nope.json", cwd=checked).exit_code == 2


def test_a_bundled_run_on_sample_data_is_reproduced(cli, tmp_path):
    assert cli("sample", "--out", "data", "--rows", "1000", cwd=tmp_path).exit_code == 0
    run = cli("check", "--data", "data", "--as-of", "2026-06-30", "--json", "r.json", "-q", cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["rulesets"][0]["path"].startswith("checker:")
    verified = cli("verify", "r.json", cwd=tmp_path)
    assert verified.exit_code == 0, verified.stdout + verified.stderr
