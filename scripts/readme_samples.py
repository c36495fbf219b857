#!/usr/bin/env python3
"""Keep the sample outputs in README.md and docs/*.md equal to what the commands print.

A sample is an HTML comment naming one command, followed by a fenced block::

    <!-- sample: checker check --data examples/quickstart/data --as-of 2026-06-30 -->
    ```text
    $ checker check --data examples/quickstart/data --as-of 2026-06-30
    ...what it prints...
    ```

The block is the command (``$ ...``, wrapped with ``\\`` at 88 columns) followed by what it prints,
standard output and standard error together, in the order written.  A command ending in
``; echo $?`` also shows its exit status, as a shell would.  Nothing else of shell syntax is
understood: the command is split with :func:`shlex.split` and run without a shell.

An input the commands need that the repository does not hold is given in the same document::

    <!-- sample-file: broken.yaml -->
    ```yaml
    ...
    ```

Each document's commands run in one temporary working copy holding a copy of ``examples/`` and the
document's sample files, with ``checker`` being the one installed beside this Python (the venv's),
without any ``CHECKER_*`` variable of the caller's environment, with ``NO_COLOR=1``, ``COLUMNS=80``,
``TZ=UTC`` and unbuffered output.  The commands of one document run in parallel, so they must not
write the same path.

What legitimately varies between runs is replaced by a placeholder, and nothing else (``NORMALISE``).

    .venv/bin/python scripts/readme_samples.py           # exit 1 and a diff if a block is stale
    .venv/bin/python scripts/readme_samples.py --write   # rewrite the stale blocks

``tests/test_readme.py`` runs :func:`stale` and fails with the diff.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITE_COMMAND = ".venv/bin/python scripts/readme_samples.py --write"
WIDTH = 88
TIMEOUT = 300

# (pattern, replacement, why).  Only what differs between two runs on the same files.
NORMALISE: list[tuple[re.Pattern, str, str]] = [
    # elapsed times the checker may print ("1.23 s", "850 ms", "1.2 秒"): never the same twice
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)? ?(?:ms|s|秒)(?![\w])"), "<duration>", "elapsed time"),
    # a run's own start time (ISO 8601 with 'T' and an offset or 'Z', as the result writes it);
    # data timestamps in messages are written with a space and no offset, and are kept
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)\b"), "<timestamp>", "run time"),
]

SAMPLE = re.compile(r"^<!-- sample: (?P<command>.+?) -->\n"
                    r"(?P<fence>```+)(?P<lang>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
SAMPLE_FILE = re.compile(r"^<!-- sample-file: (?P<name>[^ ]+) -->\n"
                         r"(?P<fence>```+)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
ECHO_STATUS = "; echo $?"


@dataclass
class Block:
    command: str
    start: int   # offsets of the block's body in the document
    end: int
    body: str


def documents(root: Path = ROOT) -> list[Path]:
    """README.md and every docs/*.md that holds a sample."""
    docs = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [p for p in docs if p.exists() and "<!-- sample: " in p.read_text(encoding="utf-8")]


def blocks(text: str) -> list[Block]:
    found = [Block(m["command"].strip(), m.start("body"), m.end("body"), m["body"]) for m in SAMPLE.finditer(text)]
    if len(found) != len(re.findall(r"^<!-- sample: ", text, re.M)):
        matched = {b.command for b in found}
        loose = [line for line in text.splitlines() if line.startswith("<!-- sample: ")
                 and line[len("<!-- sample: "):].removesuffix(" -->").strip() not in matched]
        raise SystemExit("readme_samples: a sample comment must be on its own line, directly followed by a "
                         f"fenced block: {loose}")
    return found


def sample_files(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in SAMPLE_FILE.finditer(text)}


def checker_executable() -> str:
    """The `checker` installed beside this Python (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / ("checker.exe" if os.name == "nt" else "checker")
    if here.exists():
        return str(here)
    found = shutil.which("checker")
    if not found:
        raise SystemExit("readme_samples: no `checker` beside this Python or on PATH; install the project first")
    return found


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_") and k not in ("FORCE_COLOR",)}
    env.update(NO_COLOR="1", COLUMNS="80", LINES="24", TZ="UTC", PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    return env


def wrap_command(command: str) -> str:
    """`$ command`, broken with a backslash where it passes WIDTH columns, never between an option and its value."""
    words = [shlex.quote(w) for w in shlex.split(command)]
    units: list[str] = []
    for word in words:
        if units and units[-1].startswith("-") and " " not in units[-1] and not word.startswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    lines, line = [], "$"
    for unit in units:
        if len(line) + 1 + len(unit) > WIDTH - 2 and line.strip() not in ("$", ""):
            lines.append(line)
            line = "     "
        line += " " + unit
    lines.append(line)
    return " \\\n".join(lines)


def normalise(text: str, work: Path) -> str:
    for path in {str(work.resolve()), str(work)}:
        text = text.replace(path + os.sep, "").replace(path, ".")
    for pattern, replacement, _why in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def run(command: str, work: Path) -> str:
    """The block's body for one command, run in `work`."""
    shown = command
    echo = command.endswith(ECHO_STATUS)
    if echo:
        command = command[: -len(ECHO_STATUS)].rstrip()
    argv = shlex.split(command)
    if not argv or argv[0] != "checker":
        raise SystemExit(f"readme_samples: a sample command starts with `checker`: {shown!r}")
    try:
        proc = subprocess.run([checker_executable(), *argv[1:]], cwd=work, env=environment(),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=TIMEOUT, check=False)  # the exit status is part of the sample
    except subprocess.TimeoutExpired:  # shown in the diff rather than as a traceback
        return wrap_command(command) + f"\n(readme_samples: no answer within {TIMEOUT} s)\n"
    out = proc.stdout.decode("utf-8", errors="replace")
    if out and not out.endswith("\n"):
        out += "\n"
    body = wrap_command(command) + "\n" + normalise(out, work)
    if echo:
        body += f"$ echo $?\n{proc.returncode}\n"
    return body


def fresh(path: Path, root: Path = ROOT) -> str:
    """The document with every sample block replaced by the output of its command now."""
    text = path.read_text(encoding="utf-8")
    found = blocks(text)
    if not found:
        return text
    with tempfile.TemporaryDirectory(prefix="readme-samples-") as tmp:
        work = Path(tmp)
        if (root / "examples").is_dir():
            shutil.copytree(root / "examples", work / "examples")
        for name, body in sample_files(text).items():
            target = (work / name).resolve()
            if not target.is_relative_to(work.resolve()):
                raise SystemExit(f"readme_samples: sample-file {name!r} is outside the working copy")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            bodies = list(pool.map(lambda b: run(b.command, work), found))
    out, at = [], 0
    for block, body in zip(found, bodies, strict=True):
        out += [text[at:block.start], body]
        at = block.end
    out.append(text[at:])
    return "".join(out)


def compare(root: Path = ROOT) -> dict[Path, tuple[str, str]]:
    """Each document whose samples differ from fresh output: (committed text, fresh text)."""
    changed = {}
    for path in documents(root):
        old = path.read_text(encoding="utf-8")
        new = fresh(path, root)
        if new != old:
            changed[path] = (old, new)
    return changed


def unified(path: Path, old: str, new: str, root: Path = ROOT) -> str:
    rel = path.relative_to(root).as_posix()
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"{rel} (committed)", f"{rel} (fresh output)"))


def stale(root: Path = ROOT) -> dict[Path, str]:
    """Each document whose samples differ from fresh output, with the unified diff."""
    return {path: unified(path, old, new, root) for path, (old, new) in compare(root).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale sample blocks in place")
    args = parser.parse_args(argv)
    changed = compare()
    for path, (old, new) in changed.items():
        if args.write:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
        else:
            sys.stdout.write(unified(path, old, new))
    if changed and not args.write:
        print(f"\nsample outputs are stale; run: {WRITE_COMMAND}", file=sys.stderr)
        return 1
    if not changed:
        print("sample outputs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
