"""The GitHub Action (`action.yml`), its steps run as GitHub runs them, without GitHub.

A repository of exports and rules with two commits (a pull request that tightens a rule), cloned
shallow as `actions/checkout` does; the environment GitHub sets (`GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`,
`RUNNER_TEMP`, `GITHUB_EVENT_PATH` of a pull_request event, `GITHUB_API_URL` pointing at a loopback stub
of the REST API); then the action's own step scripts. Checked: the job summary, the step outputs, the
annotations, the SARIF file, and the comment it posts on the pull request.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from ruamel.yaml import YAML

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_the_action_is_composite_and_its_steps_name_their_scripts():
    assert ACTION["runs"]["using"] == "composite"
    steps = {s.get("id") or s.get("name"): s for s in ACTION["runs"]["steps"]}
    assert set(ACTION["outputs"]) == {"exit-code", "result", "sarif"}
    assert all("steps.check.outputs." in o["value"] for o in ACTION["outputs"].values())
    for step, script in (("check", "check.sh"), ("Rule changes on the data (pull requests)", "diff.sh")):
        assert f"action/{script}" in steps[step]["run"] and (ROOT / "action" / script).is_file()
        text = (ROOT / "action" / script).read_text(encoding="utf-8")
        for variable in steps[step]["env"]:
            assert variable in text, (script, variable)       # every input the step passes is read
        for variable in re.findall(r"\$\{?(CHECKER_[A-Z_]+)", text):
            assert variable in steps[step]["env"] or variable in ("CHECKER_EXIT",), (script, variable)
    assert "pull_request" in steps["Rule changes on the data (pull requests)"]["if"]


class _Api(BaseHTTPRequestHandler):
    posted: ClassVar[list[dict]] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        _Api.posted.append({"path": self.path, "auth": self.headers.get("Authorization"),
                            "body": json.loads(self.rfile.read(length))})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": 1}')

    def log_message(self, *args):
        return


@pytest.fixture
def api():
    _Api.posted = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def pull_request(tmp_path):
    if shutil.which("git") is None or shutil.which("curl") is None:
        pytest.skip("needs git and curl, as GitHub's runners have")
    origin = tmp_path / "origin"
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, origin / part)
    (origin / "checker.toml").write_text('data = "data"\nrules = ["rules"]\nschemas = "schemas"\n'
                                         'as_of = 2026-06-30\n', encoding="utf-8")
    _git("init", "-q", "-b", "main", cwd=origin)
    _git("add", "-A", cwd=origin)
    _git("commit", "-q", "-m", "rules", cwd=origin)
    base = _git("rev-parse", "HEAD", cwd=origin)
    rule = origin / "rules" / "customer-service.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("closure_days: 7", "closure_days: 3"), "utf-8")
    _git("commit", "-q", "-am", "close complaints within 3 days", cwd=origin)
    _git("config", "uploadpack.allowReachableSHA1InWant", "true", cwd=origin)
    clone = tmp_path / "workspace"
    _git("clone", "-q", "--depth=1", f"file://{origin}", str(clone), cwd=tmp_path)
    with pytest.raises(subprocess.CalledProcessError):
        _git("cat-file", "-e", f"{base}^{{commit}}", cwd=clone)          # shallow: the base is not there
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}}}),
                     encoding="utf-8")
    return clone, event


def _step(script: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "action" / script)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_steps_write_the_summary_outputs_annotations_sarif_and_the_comment(pull_request, api, tmp_path):
    clone, event = pull_request
    runner = tmp_path / "runner"
    runner.mkdir()
    summary, outputs = runner / "summary.md", runner / "output.txt"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "CHECKER_LANG": "en",
           "CHECKER_CACHE_DIR": os.environ.get("CHECKER_CACHE_DIR", "off"), "RUNNER_TEMP": str(runner),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs), "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": api, "GITHUB_REPOSITORY": "acme/exports",
           "GITHUB_TOKEN": "ghs_test", "CHECKER_CONFIG": "", "CHECKER_PROFILE": "", "CHECKER_ARGS": "--max-samples 5",
           "CHECKER_SARIF": str(runner / "checker.sarif"), "CHECKER_RULES_FOLDER": "rules", "CHECKER_DIFF_DATA": ""}
    check = _step("check.sh", env, clone)
    assert check.returncode == 0, check.stderr                      # the Verdict step fails the job, not this one
    assert re.search(r"^::error .*file=data/crm/complaints\.csv,line=\d+", check.stdout, re.M), check.stdout
    written = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    assert written["exit-code"] == "1" and Path(written["result"]).is_file()
    assert written["sarif"] == str(runner / "checker.sarif")
    sarif = json.loads((runner / "checker.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("#") and "QS-001" in text

    diff = _step("diff.sh", env, clone)
    assert diff.returncode == 0, diff.stderr
    assert "::warning" not in diff.stdout, diff.stdout
    assert len(_Api.posted) == 1, diff.stdout + diff.stderr
    comment = _Api.posted[0]
    assert comment["path"] == "/repos/acme/exports/issues/7/comments" and comment["auth"] == "Bearer ghs_test"
    body = comment["body"]["body"]
    assert body.startswith("<!-- marketing-checker diff -->") and "QS-002" in body


def test_a_check_that_cannot_run_still_reports(pull_request, tmp_path):
    clone, _event = pull_request
    (clone / "checker.toml").write_text('data = "nowhere"\n', encoding="utf-8")
    summary, outputs = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "CHECKER_LANG": "en",
           "CHECKER_CACHE_DIR": "off", "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(outputs)}
    check = _step("check.sh", env, clone)
    assert check.returncode == 0
    assert "exit-code=2" in outputs.read_text(encoding="utf-8")
    assert "could not run (exit status 2)" in summary.read_text(encoding="utf-8")
    assert "D401" in check.stderr
