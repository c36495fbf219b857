"""The wheel carries the bundled rules, schemas and report templates, and its `checker` runs anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(cmd, **kw):
    # check=False: the callers assert on the exit status with the output in the message
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, **kw)


def test_wheel_installs_and_runs_from_another_directory(tmp_path):
    dist = tmp_path / "dist"
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)])
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("*.whl"))
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    assert "checker/_bundled/schemas/result.schema.json" in names
    assert "checker/_bundled/schemas/ruleset.schema.json" in names
    assert any(n.startswith("checker/_bundled/rules/") for n in names)
    assert any(n.startswith("checker/_bundled/reports/") for n in names)

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    pip = _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)])
    assert pip.returncode == 0, pip.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run([str(venv / "bin" / "python"), "-c",
                  "from checker.resources import bundled; print(bundled('schemas'))"], cwd=elsewhere, env=env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    qs = ROOT / "examples" / "quickstart"
    out = elsewhere / "result.json"
    check = _run([str(venv / "bin" / "checker"), "check", "--data", str(qs / "data"), "--rules", str(qs / "rules"),
                  "--schemas", str(qs / "schemas"), "--as-of", "2026-06-30", "--json", str(out)],
                 cwd=elsewhere, env=env)
    assert check.returncode == 1, check.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["summary"]["violations"] > 0
    assert "Traceback" not in check.stderr

    # without the [spark] extra, --engine spark says what to install (exit 2), before reading data
    no_spark = _run([str(venv / "bin" / "checker"), "check", "--data", str(qs / "data"), "--rules", str(qs / "rules"),
                     "--schemas", str(qs / "schemas"), "--engine", "spark"], cwd=elsewhere, env=env)
    assert no_spark.returncode == 2, no_spark.stderr
    assert "D407" in no_spark.stderr and "[spark]" in no_spark.stderr and "Traceback" not in no_spark.stderr

    # the README's first command: the demo on the bundled rules, schemas and report templates
    demo = _run([str(venv / "bin" / "checker"), "demo", "--out", str(elsewhere / "demo")], cwd=elsewhere, env=env)
    assert demo.returncode in (0, 1), demo.stderr
    assert (elsewhere / "demo" / "report.html").is_file() and (elsewhere / "demo" / "result.json").is_file()
    assert "report.html" in demo.stdout
