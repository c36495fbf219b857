"""Shared fixtures: run the real command line in-process, and the repository's paths."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHECKER_SHARED", ROOT.parent / "shared"))


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    result: dict | None


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `checker ARGS` in cwd (default tmp_path); parse --json output if any."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> Run:
        monkeypatch.chdir(cwd or tmp_path)
        runner = CliRunner()
        res = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        result = None
        if "--json" in args:
            path = Path(args[list(args).index("--json") + 1])
            if path.exists():
                result = json.loads(path.read_text(encoding="utf-8"))
        return Run(res.exit_code, res.stdout, res.stderr, result)

    return run
