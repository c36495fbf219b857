"""The README and the guides show what the commands print, and the reference is what the code says.

Sample blocks (``<!-- sample: checker ... -->`` and a fenced block) are run by
``scripts/readme_samples.py``; ``docs/reference.md`` is written by ``scripts/gen_reference.py``.
When a message, an option or a code changes, these tests fail with the command that brings the
documents up to date.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"_doc_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


samples = _script("readme_samples")


def test_sample_outputs_are_what_the_commands_print():
    diffs = samples.stale()
    assert not diffs, (
        "sample outputs in the documents differ from what the commands print now; run\n\n"
        f"    {samples.WRITE_COMMAND}\n\nand commit the result. The differences:\n\n" + "\n".join(diffs.values()))


def test_reference_is_generated_from_the_code():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_reference.py"), "--stdout"], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    committed = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert proc.stdout == committed, (
        "docs/reference.md is not what the code says; run\n\n    .venv/bin/python scripts/gen_reference.py\n\n"
        "and commit the result.")


def _fences(text: str):
    """(first line of the block, the line before the fence) for every fenced block."""
    lines = text.splitlines()
    inside, found = None, []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            if inside is None:
                inside = i
            else:
                found.append((lines[inside + 1] if inside + 1 < i else "", lines[inside - 1] if inside else ""))
                inside = None
    return found


def test_every_shown_terminal_session_is_a_checked_sample():
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    loose = []
    for doc in docs:
        for first, before in _fences(doc.read_text(encoding="utf-8")):
            if first.startswith("$ ") and not before.startswith("<!-- sample: "):
                loose.append(f"{doc.relative_to(ROOT)}: {first}")
    assert not loose, ("blocks showing a command's output must be samples (<!-- sample: COMMAND --> before the "
                       "fence; see scripts/readme_samples.py):\n" + "\n".join(loose))


def test_samples_exist_and_start_with_checker():
    found = [b.command for doc in samples.documents() for b in samples.blocks(doc.read_text(encoding="utf-8"))]
    assert found, "the README shows no checked sample output"
    assert all(c.split()[0] == "checker" for c in found), found


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", readme, re.M | re.S)
    assert len(blocks) >= 2
    demo, tests = blocks[0].strip(), blocks[1].strip()
    assert "checker demo" in demo and demo.startswith("python3 -m venv .venv")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci, f"the README's test command is not what .ci/run runs:\n{tests}"
    # both come before the first section after the introduction ends
    assert readme.index(tests) < readme.index("\n## ", readme.index(demo))


def test_normalisation_is_narrow(tmp_path):
    text = (f"wrote {tmp_path}/result.json in 1.25 s (850 ms); started 2026-12-03T14:00:01.5+00:00\n"
            "created 2026-03-02 09:00:00; 2 violations; 38 checks; row 4\n")
    out = samples.normalise(text, tmp_path)
    assert out == ("wrote result.json in <duration> (<duration>); started <timestamp>\n"
                   "created 2026-03-02 09:00:00; 2 violations; 38 checks; row 4\n")


def test_command_lines_wrap_between_words():
    line = "checker check " + " ".join(f"--opt{i} value{i}" for i in range(20))
    wrapped = samples.wrap_command(line)
    assert wrapped.startswith("$ checker check --opt0")
    assert all(len(part) <= samples.WIDTH for part in wrapped.splitlines())
    assert wrapped.replace(" \\\n      ", " ")[2:] == line
