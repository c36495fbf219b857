"""The auditor's month in the README runs as written, and says what the README says it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def guide_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- auditor-month -->\n```sh\n", 1)[1].split("\n```", 1)[0]


def test_the_auditors_month_runs_as_written(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", CHECKER_LANG="en", NO_COLOR="1")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", guide_script()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "Chain: intact, 2 entries, head " in out
    assert "reproduced: audit/2026-06.json" in out
    assert "As of       Entry  Failed  Violations  New  Fixed" in out and "2026-05-31  1" in out
    assert "2 runs (2026-05-31 – 2026-06-30)" in out
    assert "expiring" in out and "王經理" in out
    assert "W505" in done.stdout + done.stderr            # the June check warned about the waiver
    june = json.loads((tmp_path / "audit" / "2026-06.json").read_text(encoding="utf-8"))
    assert [p["as_of"] for p in june["history"]["points"]] == ["2026-05-31", "2026-06-30"]
    page = (tmp_path / "audit" / "history.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
