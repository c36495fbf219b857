"""Subprocesses get no user text as an option; output paths are checked, and written whole or not at all.

* ``checker diff git:REV``: in a real temporary repository, option-shaped revisions and folders
  (``--output=FILE``, ``--exec=...``, ``-o``, and any text starting with '-') are refused with
  D409 or Y003 and exit status 2 before git runs, and FILE is neither created nor truncated;
  unknown revisions and non-commits are D409; ``git:HEAD`` still works; and every git command
  line the checker runs carries user text only after ``--end-of-options`` or ``--`` (the
  revision reaching ``git archive`` is the commit id git verified, never the text given).
* ``--pdf``: chromium (a recording stand-in on PATH) gets only our options and a file:// URL,
  whatever the output path looks like.
* Every option that writes a file (``check --json --html --md --junit --sarif --pdf
  --violations-out``, ``report --html ...``) and the folders of ``sample --out`` and ``demo
  --out``: a folder, an empty path, a path below a file, an unwritable place, ``/dev/full``
  and one path given twice are each a coded problem (T503, D401) naming the path, exit 2,
  one line, no traceback, and nothing is created.  A write that fails half-way (a file size
  limit, enforced by the kernel) leaves the previous file untouched and no temporary file;
  a symbolic link at the path is replaced, its target never written.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from conftest import ROOT

CASE = ROOT / "tests" / "cases" / "diff" / "with-data"
QS = ROOT / "examples" / "quickstart"
QS_ARGS = ["check", "--data", str(QS / "data"), "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"),
           "--as-of", "2026-06-30", "-q"]
OPTION_REVS = ["--output={file}", "--output {file}", "-o{file}", "--exec=touch {file}", "--remote=file://{file}",
               "-", "--all", "--end-of-options", "-h"]


def invoke(*args: str, cwd: Path | None = None):
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        res = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"CHECKER_LANG": "en"})
    finally:
        os.chdir(old)
    assert "Traceback" not in res.stdout + res.stderr and "internal error" not in res.stderr, res.stderr
    return res


def refused(res, code: str, *quoted: str) -> None:
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and f" {code} " in lines[0], res.stderr
    for text in quoted:
        assert text in lines[0], (text, lines[0])


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A real git repository whose one commit holds the old rules; the work tree holds the new ones."""
    repo = tmp_path_factory.mktemp("repo")
    (repo / "rules").mkdir()
    shutil.copy(CASE / "old" / "row.yaml", repo / "rules" / "row.yaml")
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True, capture_output=True)
    subprocess.run([*git, "add", "."], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True, capture_output=True)
    shutil.copy(CASE / "new" / "row.yaml", repo / "rules" / "row.yaml")
    return repo


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".git" not in p.parts}


@pytest.mark.parametrize("template", OPTION_REVS)
@pytest.mark.parametrize("place", ["rev", "folder"])
def test_option_shaped_git_text_is_refused_and_writes_nothing(repo, tmp_path, template, place):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    fresh = tmp_path / "fresh.txt"
    before = files_in(repo)
    for target in (victim, fresh):
        text = template.format(file=target)
        spec = f"git:{text}" if place == "rev" else f"git:HEAD:{text}"
        res = invoke("diff", spec, "rules", "--as-of", "2026-06-30", cwd=repo)
        refused(res, "D409" if place == "rev" else "Y003", spec)
    assert victim.read_text(encoding="utf-8") == "keep me" and not fresh.exists()
    assert files_in(repo) == before


@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=0, max_size=12).map(lambda t: "-" + t))
def test_any_revision_starting_with_a_dash_is_d409(repo, text):
    res = invoke("diff", f"git:{text}", "rules", "--as-of", "2026-06-30", cwd=repo)
    assert res.exit_code == 2 and "D409" in res.stderr, res.stderr


@pytest.mark.parametrize("rev", ["no-such-rev", "HEAD^{tree}", "HEAD~5", "", "HEAD\x00", "HE\nAD", "0" * 40])
def test_what_is_not_a_commit_is_d409(repo, rev):
    res = invoke("diff", f"git:{rev}", "rules", "--as-of", "2026-06-30", cwd=repo)
    assert res.exit_code == 2 and "D409" in res.stderr and "Traceback" not in res.stderr, res.stderr
    if rev == "no-such-rev":
        assert "cannot read rules at no-such-rev" in res.stderr


def test_git_head_still_works_and_git_gets_user_text_only_as_operands(repo, monkeypatch):
    calls: list[list[str]] = []
    real = subprocess.run

    def spy(args, *rest, **kwargs):
        calls.append(list(args))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    res = invoke("diff", "git:HEAD:rules", "rules", "--as-of", "2026-06-30", cwd=repo)
    assert res.exit_code == 0, res.stderr
    assert "param high_response_hours: 72 -> 24" in res.stdout
    git_calls = [c for c in calls if c[0] == "git"]
    assert len(git_calls) == 3
    verify = next(c for c in git_calls if "--verify" in c)
    assert verify[verify.index("--end-of-options") + 1:] == ["HEAD^{commit}"]
    archive = next(c for c in git_calls if "archive" in c)
    sha = archive[archive.index("--") - 1]
    assert len(sha) == 40 and all(ch in "0123456789abcdef" for ch in sha) and "HEAD" not in archive
    assert archive[archive.index("--") + 1:] == ["rules"]


def _fake_chromium(folder: Path) -> Path:
    """A stand-in for chromium on PATH: records its arguments, prints a tiny PDF where told."""
    log = folder / "argv.json"
    script = folder / "chromium"
    script.write_text(f"""#!{sys.executable}
import json, sys
json.dump(sys.argv[1:], open({str(log)!r}, "w"))
out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf=")][0]
open(out, "wb").write(b"%PDF-1.4 stand-in")
""", encoding="utf-8")
    script.chmod(0o755)
    return log


def test_pdf_paths_never_reach_chromium_as_options(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = _fake_chromium(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    res = invoke(*QS_ARGS, "--pdf=-o=x.pdf", cwd=work)
    assert res.exit_code == 1, res.stderr
    assert (work / "-o=x.pdf").read_bytes() == b"%PDF-1.4 stand-in"
    argv = json.loads(log.read_text(encoding="utf-8"))
    assert argv[-1].startswith("file:///") and all(a.startswith("--") for a in argv[:-1])
    assert not any("-o=x.pdf" in a for a in argv)
    assert sorted(p.name for p in work.iterdir()) == ["-o=x.pdf"]


# --- output paths ------------------------------------------------------------------------------

FILE_OPTIONS = ["--json", "--html", "--md", "--junit", "--sarif", "--pdf", "--violations-out"]


def _bad_targets(tmp: Path) -> dict[str, str]:
    (tmp / "folder").mkdir()
    (tmp / "plain").write_text("a file, not a folder", encoding="utf-8")
    return {"folder": str(tmp / "folder"), "slash": str(tmp / "new") + "/", "empty": "",
            "below a file": str(tmp / "plain" / "r.out"), "unwritable": "/proc/self/checker-r.out"}


@pytest.mark.parametrize("option", FILE_OPTIONS)
def test_bad_output_paths_are_t503_before_anything_runs(tmp_path, option):
    for name, target in _bad_targets(tmp_path).items():
        before = files_in(tmp_path)
        # report's paths are checked before its result file is read (this one does not exist)
        args = ["report", str(QS / "missing.json")] if option not in ("--json", "--violations-out") else QS_ARGS
        res = invoke(*args, option, target, cwd=tmp_path)
        refused(res, "T503", target or "(empty path)")
        assert files_in(tmp_path) == before, name
        assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("option", ["--json", "--html", "--md", "--junit", "--sarif"])
def test_a_full_device_is_t503(tmp_path, option):
    res = invoke(*QS_ARGS, option, "/dev/full", cwd=tmp_path)
    refused(res, "T503", "/dev/full", "No space left on device")


def test_violations_out_must_be_a_regular_csv_or_parquet(tmp_path):
    refused(invoke(*QS_ARGS, "--violations-out", "/dev/full", cwd=tmp_path), "T503", "/dev/full")
    (tmp_path / "full.csv").symlink_to("/dev/full")
    refused(invoke(*QS_ARGS, "--violations-out", "full.csv", cwd=tmp_path), "T503", "full.csv", "not a regular file")


def test_one_path_for_two_outputs_is_refused(tmp_path):
    refused(invoke(*QS_ARGS, "--html", "r.out", "--md", "./r.out", cwd=tmp_path), "T503", "--html")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["sample", "demo"])
def test_bad_output_folders_are_d401(tmp_path, command):
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    for target in ("", str(tmp_path / "plain"), "/dev/full", str(tmp_path / "plain" / "sub"), "/proc/self/x"):
        before = files_in(tmp_path)
        res = invoke(command, "--out", target, "--rows", "1000", cwd=tmp_path)
        refused(res, "D401", target or "(empty path)")
        assert files_in(tmp_path) == before


@pytest.fixture
def result_file(tmp_path) -> Path:
    path = tmp_path / "result.json"
    assert invoke(*QS_ARGS, "--json", str(path)).exit_code == 1
    return path


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial_one(tmp_path, result_file):
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.html"
    report.write_text("the previous report", encoding="utf-8")
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))  # the kernel refuses any write past 4 kB
    try:
        res = invoke("report", str(result_file), "--html", str(report), "-q")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    refused(res, "T503", str(report), "cannot write the html report")
    assert report.read_text(encoding="utf-8") == "the previous report"
    assert [p.name for p in out.iterdir()] == ["report.html"]


def test_a_written_report_is_complete_has_normal_permissions_and_replaces_a_link(tmp_path, result_file):
    victim = tmp_path / "victim.txt"
    victim.write_text("not a report", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    mask = os.umask(0o022)
    try:
        res = invoke("report", str(result_file), "--md", str(link), "--html", str(tmp_path / "new" / "r.html"), "-q")
    finally:
        os.umask(mask)
    assert res.exit_code == 0, res.stderr
    assert victim.read_text(encoding="utf-8") == "not a report"  # nothing written outside the asked path
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("## ")
    html = tmp_path / "new" / "r.html"
    assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert stat.S_IMODE(html.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.rglob(".checker-*")) == []


def test_dev_null_is_still_a_place_to_write(tmp_path, result_file):
    res = invoke("report", str(result_file), "--html", "/dev/null", "--sarif", "/dev/null", "-q")
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize("name", ["violations.csv", "violations.parquet"])
def test_a_failed_violations_file_keeps_the_old_one_and_leaves_no_partial_one(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    target.write_text("the previous file", encoding="utf-8")
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, hard))  # smaller than the quickstart's violations
    try:
        res = invoke(*QS_ARGS, "--violations-out", str(target))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    refused(res, "T503", str(target), "cannot write the violations file")
    assert target.read_text(encoding="utf-8") == "the previous file"
    assert [p.name for p in out.iterdir()] == [name]


def test_a_violations_file_is_put_in_place_whole(tmp_path):
    target = tmp_path / "violations.csv"
    assert invoke(*QS_ARGS, "--violations-out", str(target)).exit_code == 1
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"rule_id","severity","dataset","path","row","key"' and len(lines) > 5
    assert [p.name for p in tmp_path.iterdir()] == ["violations.csv"]
