"""Shared fixtures: run the real command line in-process, and the repository's paths."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Parsed rule files and schemas are cached (checker.load.doccache): the suite gets a cache folder of its
# own, empty at the start, so no test reads what an earlier run or the user's own runs stored, and every
# file is read both ways (parsed, then from the cache) in one run.
os.environ["CHECKER_CACHE_DIR"] = tempfile.mkdtemp(prefix="checker-test-cache-")

# The report tests' session fixture `rendered` lives with its helpers in render_support; registered here as a
# plugin, the tests ask for it by name instead of importing it (an import a linter sees as unused, then shadowed).
pytest_plugins = ["render_support"]


# -- the repository stands alone -------------------------------------------------------------------------
# A user's clone has nothing beside it, but a developer's or CI's may (a shared reference folder, a sibling
# clone): every file a test opens beside the repository, rather than in it, is recorded and fails the run.
_OUTSIDE: list[str] = []


#: what the tests and the checker create in the system's temporary folder (pytest's tmp_path, tempfile's own
#: "tmp" prefix, the checker's "checker-" folders) is never "beside" the repository, even for a clone that
#: itself lives there, where every temporary file would otherwise be its sibling
_TEST_TEMP = ("pytest-of-", "checker-", "tmp")


def _outside_repository(path) -> bool:
    try:
        resolved = Path(os.fsdecode(path)).resolve()
    except (TypeError, ValueError, OSError):
        return False
    if not resolved.is_relative_to(ROOT.parent) or resolved.is_relative_to(ROOT):
        return False
    if ROOT.parent == Path(tempfile.gettempdir()).resolve():   # a clone right in the temporary folder
        return not resolved.relative_to(ROOT.parent).parts[0].startswith(_TEST_TEMP)
    return True


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)) and _outside_repository(args[0]):
        _OUTSIDE.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def pytest_sessionfinish(session, exitstatus):
    if _OUTSIDE:
        listed = "\n  ".join(sorted(set(_OUTSIDE))[:20])
        print(f"\n\nTests opened files beside the repository, which a user's clone does not have:\n  {listed}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
        # the tests read English unless they ask for a language (--lang, or CHECKER_LANG in env)
        res = runner.invoke(main, list(args), env={"CHECKER_LANG": "en", **(env or {})}, catch_exceptions=False)
        result = None
        if "--json" in args:
            path = Path(args[list(args).index("--json") + 1])
            if path.exists():
                result = json.loads(path.read_text(encoding="utf-8"))
        return Run(res.exit_code, res.stdout, res.stderr, result)

    return run


# -- PostgreSQL (the history store for a team) -------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server for the session (tests/pgserver.py); skips with the reason where none can
    start, fails instead under CHECKER_REQUIRE_POSTGRES=1 (as .ci/run sets)."""
    import pgserver

    try:
        server = pgserver.server()
    except pgserver.Unavailable as why:
        if os.environ.get("CHECKER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CHECKER_REQUIRE_POSTGRES=1 but no PostgreSQL server: {why}")
        pytest.skip(f"no PostgreSQL server: {why}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's server."""
    return postgres_server.database()


# -- a real browser (tests/test_browser.py's Browser) -------------------------------------------------------
@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Debian chromium; skipped without it, failed under CI=true."""
    import shutil

    from test_browser import Browser

    if shutil.which("chromium") is None:
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()
