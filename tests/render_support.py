"""Shared by the report tests: every format from one `checker check` run and again from `checker report`.

`rendered(case, lang, show_pii)` runs, once per session and combination, the real command line:
`check ... --json --html --md --junit --sarif --format github`, then `report RESULT --html --md --junit
--sarif` and `report RESULT --format github` / `--format md`, and returns both sets of outputs.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
HOSTILE = ROOT / "tests" / "cases" / "render" / "hostile"
CASES = {
    "quickstart": ["check", "--data", str(QS / "data"), "--rules", str(QS / "rules"), "--schemas",
                   str(QS / "schemas"), "--as-of", "2026-06-30"],
    "hostile": ["check", "--data", str(HOSTILE / "data"), "--rules", str(HOSTILE / "rules"), "--schemas",
                str(HOSTILE / "schemas"), "--as-of", "2026-06-30"],
}
FILES = {"html": "report.html", "md": "report.md", "junit": "junit.xml", "sarif": "report.sarif"}
FORMATS = (*FILES, "github")

# Personal data in the two cases' x-pii columns: never in any output without --show-pii.
PII = ["13812345678", "13912345679", "13712345670", "13612345671", "1381234", "王小明", "李華", "陳大文",
       "wang@example.com", "li.hua@example"]
PAYLOADS = ["<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">',
            '"><svg onload=window.__pwned=1>']


@dataclass
class Rendered:
    folder: Path
    exit_code: int
    result: dict
    check: dict[str, str]     # format -> text, from the check run
    report: dict[str, str]    # format -> text, from `checker report`
    stderr: str


def _invoke(args: list[str]):
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "Traceback" not in res.stdout + res.stderr, res.stderr
    return res


def produce(folder: Path, case: str, lang: str = "en", show_pii: bool = False) -> Rendered:
    result_file = folder / "result.json"
    check_files = {fmt: folder / "check" / name for fmt, name in FILES.items()}
    args = [*CASES[case], "--lang", lang, "--json", str(result_file), "--format", "github"]
    args += [a for fmt, path in check_files.items() for a in (f"--{fmt}", str(path))]
    if show_pii:
        args.append("--show-pii")
    run = _invoke(args)
    assert run.exit_code in (0, 1), run.stderr
    check = {fmt: path.read_text(encoding="utf-8") for fmt, path in check_files.items()}
    check["github"] = run.stdout

    report_files = {fmt: folder / "report" / name for fmt, name in FILES.items()}
    rep = _invoke(["report", str(result_file), "-q",
                   *[a for fmt, path in report_files.items() for a in (f"--{fmt}", str(path))]])
    assert rep.exit_code == 0, rep.stderr
    report = {fmt: path.read_text(encoding="utf-8") for fmt, path in report_files.items()}
    report["github"] = _invoke(["report", str(result_file), "--format", "github"]).stdout
    report["md-stdout"] = _invoke(["report", str(result_file), "--format", "md"]).stdout
    return Rendered(folder, run.exit_code, json.loads(result_file.read_text(encoding="utf-8")), check, report,
                    run.stderr)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    cache: dict[tuple, Rendered] = {}

    def get(case: str = "quickstart", lang: str = "en", show_pii: bool = False) -> Rendered:
        key = (case, lang, show_pii)
        if key not in cache:
            cache[key] = produce(tmp_path_factory.mktemp(f"{case}-{lang}{'-pii' if show_pii else ''}"), *key)
        return cache[key]

    return get


def assert_no_pii(text: str, where: str) -> None:
    for value in PII:
        assert value not in text, f"{where}: personal data {value!r} is not masked"


def shown_path(result: dict, path: str) -> str:
    """Where reports point for an input: the --data folder joined in front (as the user ran it)."""
    return posixpath.normpath(posixpath.join(result["data"], path))
