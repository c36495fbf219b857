"""The container image (`Dockerfile`, `.dockerignore`).

Where a container engine answers `docker info` (or `podman info`), the image is built and run: its
entry point is the command line. Elsewhere (this project's CI machines have no container engine) the
Dockerfile and its build context are checked statically, and the test says so in its output: the
final stage is a slim Python with Debian's chromium, runs as an unprivileged user, has the exec-form
entry point `["checker"]`, and the build context that `.dockerignore` leaves holds everything the
wheel is built from — proven by building the wheel from exactly that context.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            pending = ""
    return out


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions(DOCKERFILE)
    last = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last:]


def _context() -> set[str]:
    """The files of the build context: the repository's files that .dockerignore does not exclude."""
    rules = [r.strip() for r in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if r.strip() and not r.startswith("#")]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    files = tracked.stdout.split() if tracked.returncode == 0 else [
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    kept = set()
    for name in files:
        keep = True
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule[1:] if negate else rule
            pattern = pattern.rstrip("/")
            if pattern.startswith("**/"):     # at any depth: a part of the path
                hit = any(fnmatch.fnmatch(part, pattern[3:]) for part in Path(name).parts)
            else:                             # from the context's root, as Docker matches
                hit = fnmatch.fnmatch(name, pattern) or name.startswith(pattern + "/")
            if hit:
                keep = negate
        if keep:
            kept.add(name)
    return kept


def _engine() -> str | None:
    for tool in ("docker", "podman"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True, check=False,
                                                 timeout=60).returncode == 0:
            return tool
    return None


def test_the_final_stage_is_slim_unprivileged_with_chromium_and_the_cli_as_entry_point():
    stage = _final_stage()
    words = dict(stage)
    assert "-slim" in words["FROM"] and words["FROM"].startswith("python:3.")
    users = [args for word, args in stage if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert json.loads(words["ENTRYPOINT"]) == ["checker"]                # exec form: signals reach checker
    installs = " ".join(args for word, args in stage if word == "RUN")
    assert "apt-get install" in installs and "chromium" in installs and "fonts-noto-cjk" in installs
    assert "rm -rf /var/lib/apt/lists" in installs
    assert not any(tool in installs for tool in ("curl ", "wget ", "playwright", "puppeteer"))


def test_the_build_context_holds_what_the_image_copies_and_builds(tmp_path):
    context = _context()
    for word, args in _instructions(DOCKERFILE):
        if word == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert any(f == source or f.startswith(source.rstrip("/") + "/") for f in context), source
    assert not any(f.startswith(("tests/", ".venv/", "benchmarks/")) for f in context)
    build = tmp_path / "context"
    for name in context:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, build / name)
    dist = tmp_path / "dist"
    made = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(build)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert made.returncode == 0, made.stderr
    names = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    assert any(n.startswith("checker/_bundled/rules/") for n in names)
    assert "checker/_bundled/schemas/config.schema.json" in names and "checker/py.typed" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "checker = checker.cli:main" in zipfile.ZipFile(next(dist.glob("*.whl"))).read(entry).decode()


def test_the_image_builds_and_its_entry_point_is_the_cli(capsys):
    tool = _engine()
    if tool is None:
        with capsys.disabled():
            print("\n  container: no engine answers `docker info` or `podman info`; "
                  "the Dockerfile and its build context were checked statically")
        pytest.skip("no container engine answers `docker info`: the image is checked statically above")
    built = subprocess.run([tool, "build", "-q", "-t", "marketing-checker:test", str(ROOT)], capture_output=True,
                           text=True, timeout=1800, check=False)
    assert built.returncode == 0, built.stderr
    run = subprocess.run([tool, "run", "--rm", "marketing-checker:test", "--version"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0 and "0.1.0" in run.stdout, run.stdout + run.stderr
    who = subprocess.run([tool, "run", "--rm", "--entrypoint", "id", "marketing-checker:test", "-u"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert who.stdout.strip() not in ("", "0")
