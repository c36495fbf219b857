"""`checker report RESULT.json`: every format again from a saved result, without the data."""

from __future__ import annotations

import json
import shutil

import pytest

from checker.render.labels import labels
from render_support import CASES, FORMATS


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_renders_what_check_rendered_byte_for_byte(rendered, case, lang):
    run = rendered(case, lang)
    assert run.exit_code == 1
    for fmt in FORMATS:
        assert run.check[fmt], f"{fmt} is empty"
        assert run.report[fmt] == run.check[fmt], f"{fmt} differs between check and report"


def test_report_needs_no_data(cli, rendered, tmp_path):
    run = rendered("hostile", "en")
    saved = tmp_path / "elsewhere" / "result.json"
    saved.parent.mkdir()
    shutil.copy(run.folder / "result.json", saved)
    got = cli("report", str(saved), "--html", "r.html", "--sarif", "r.sarif", "-q", cwd=saved.parent)
    assert got.exit_code == 0, got.stderr
    assert (saved.parent / "r.html").read_text(encoding="utf-8") == run.check["html"]


def test_report_lang_defaults_to_the_run_and_can_change(cli, rendered, tmp_path):
    run = rendered("quickstart", "zh")
    assert cli("report", str(run.folder / "result.json"), "--md", "zh.md", "-q").exit_code == 0
    assert cli("report", str(run.folder / "result.json"), "--md", "en.md", "--lang", "en", "-q").exit_code == 0
    assert labels("zh")["report_title"] in (tmp_path / "zh.md").read_text(encoding="utf-8")
    assert labels("en")["report_title"] in (tmp_path / "en.md").read_text(encoding="utf-8")


def test_report_prints_the_summary_or_a_format(cli, rendered):
    run = rendered("quickstart", "en")
    text = cli("report", str(run.folder / "result.json"))
    assert text.exit_code == 0 and text.stdout.rstrip().splitlines()[-1].startswith("FAIL")
    as_json = cli("report", str(run.folder / "result.json"), "--format", "json")
    assert json.loads(as_json.stdout) == run.result


def test_report_asked_only_for_files_prints_one_line(cli, rendered):
    run = rendered("quickstart", "en")
    files = cli("report", str(run.folder / "result.json"), "--md", "r.md")
    assert files.exit_code == 0 and files.stdout.splitlines() == [cli("report", str(run.folder / "result.json"))
                                                                   .stdout.rstrip().splitlines()[-1]]
    both = cli("report", str(run.folder / "result.json"), "--md", "r.md", "--format", "text")
    assert len(both.stdout.splitlines()) > 1                  # a format asked for is printed whole


@pytest.mark.parametrize("content, expect", [
    ("{not json", "T502 not JSON: Expecting property name enclosed in double quotes"),
    ('{"schema_version": 1}', "T502 not a checker result file: tool: Field required"),
    ('{"schema_version": 2}', "T502 not a checker result file: schema_version: Input should be 1"),
    (b"\xff\xfe\x00", "T502 cannot read the result file"),
])
def test_a_bad_result_file_is_one_clean_paragraph(cli, tmp_path, content, expect):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    run = cli("report", str(bad), "--html", "r.html")
    assert run.exit_code == 2
    assert run.stderr.startswith(f"{bad}") and expect in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_missing_result_file(cli, tmp_path):
    run = cli("report", str(tmp_path / "nope.json"))
    assert run.exit_code == 2 and "T502 cannot read the result file" in run.stderr


@pytest.mark.parametrize("content", ["{not json", '{"schema_version": 1}', '["\\ud800"]'])
def test_a_file_that_is_not_a_result_says_what_to_give(cli, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    run = cli("report", str(bad))
    assert run.exit_code == 2
    assert run.stderr.strip().endswith("; give a file written by `checker check --json`"), run.stderr


def test_an_unwritable_report_path_is_a_clean_error(cli, rendered, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    run = cli("report", str(rendered("quickstart").folder / "result.json"), "--html", "taken/r.html")
    assert run.exit_code == 2 and "T503 cannot write the html report" in run.stderr
    assert "Traceback" not in run.stderr
