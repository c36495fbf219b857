"""The pre-commit hooks this repository offers (`.pre-commit-hooks.yaml`), run as a user's repository runs
them: `pre-commit try-repo` against this checkout, on a temporary git repository of rule files.

pre-commit builds the hooks' environment itself (a virtualenv with this package installed from the
checkout, its dependencies from PyPI), once per run below; the whole test takes well under a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_the_manifest_offers_lint_and_test_for_rule_files():
    hooks = {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"checker-lint", "checker-test"}
    for hook in hooks.values():
        assert hook["entry"].split()[0] == "checker" and hook["language"] == "python"
        assert hook["pass_filenames"] is False and "ya?ml" in hook["files"]


def _repo(tmp: Path, broken: bool) -> Path:
    repo = tmp / "rules-repo"
    shutil.copytree(QUICKSTART / "rules", repo / "rules")
    shutil.copytree(QUICKSTART / "schemas", repo / "schemas")
    (repo / "checker.toml").write_text('rules = ["rules"]\nschemas = "schemas"\n', encoding="utf-8")
    if broken:
        rule = repo / "rules" / "customer-service.yaml"
        text = rule.read_text(encoding="utf-8")
        text = text.replace("expect: first_response_at <= created_at", "expect: first_respons_at <= created_at", 1)
        text = text.replace('closed_at: "2026-03-05T09:00:00"}', 'closed_at: "2026-03-25T09:00:00"}', 1)
        rule.write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "rules"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    return repo


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "CHECKER_LANG": "en", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(ROOT), "--all-files", "--color", "never"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    if shutil.which("git") is None or not PRE_COMMIT.exists():
        pytest.skip("needs git and pre-commit (pip install '.[test]')")
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, check=False).returncode:
        pytest.skip("the checkout has no commit for pre-commit to try")
    return tmp_path_factory.mktemp("pre-commit-home")


def test_both_hooks_pass_on_sound_rules_and_fail_with_positions_on_broken_ones(home, tmp_path):
    sound = _try_repo(_repo(tmp_path / "a", broken=False), home)
    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert "checker lint (rule files, waivers, schemas)" in sound.stdout and "Passed" in sound.stdout
    assert "checker test (every rule's examples)" in sound.stdout
    broken = _try_repo(_repo(tmp_path / "b", broken=True), home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    out = broken.stdout
    assert "rules/customer-service.yaml:" in out and "R112" in out and "did you mean 'first_response_at'?" in out
    assert out.count("Failed") == 2, out
