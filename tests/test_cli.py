"""The command line as users and CI meet it: output formats, files, exit codes, lint and explain."""

from __future__ import annotations

import csv
import json
import unicodedata

import jsonschema
import pyarrow.parquet as pq
import pytest

from checker.model.result import Result
from checker.render import text
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
QS_ARGS = ["check", "--data", str(QS / "data"), "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"),
           "--as-of", "2026-06-30"]
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def test_format_json_is_the_result_and_validates(cli):
    run = cli(*QS_ARGS, "--format", "json")
    assert run.exit_code == 1
    result = json.loads(run.stdout)
    jsonschema.Draft202012Validator(RESULT_SCHEMA).validate(result)
    assert result["schema_version"] == 1
    assert result["as_of"] == "2026-06-30"
    assert [i["dataset"] for i in result["inputs"]] == ["crm.complaints", "crm.customers"]
    assert [i["rows"] for i in result["inputs"]] == [8, 4]
    assert all(len(i["sha256"]) == 64 for i in result["inputs"])
    assert result["summary"]["failed"] == sum(r["status"] == "fail" for r in result["results"])
    assert result["summary"]["violations"] == sum(r["violations"] for r in result["results"])


def test_result_is_deterministic_apart_from_timing(cli, tmp_path):
    outputs = []
    for n in range(2):
        path = tmp_path / f"r{n}.json"
        assert cli(*QS_ARGS, "--json", str(path), "-q").exit_code == 1
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("run")
        outputs.append(json.dumps(data, sort_keys=False))
    assert outputs[0] == outputs[1]
    assert list(json.loads(outputs[0])) == ["schema_version", "tool", "as_of", "rules_at", "data", "rulesets", "inputs",
                                            "summary", "results", "warnings", "waivers", "baseline", "schemas",
                                            "waiver_file", "baseline_file", "catalog",
                                            "exit_code", "history"]


def test_text_summary_fits_80_columns_and_groups_by_severity(cli):
    import re
    zh = cli(*QS_ARGS, "--lang", "zh", env={"COLUMNS": "80"})
    assert max(_width(line) for line in zh.stdout.splitlines()) <= 80
    assert [m.group(1) for line in zh.stdout.splitlines() if (m := re.match(r"(高|中|低|嚴重|資訊) \(\d+", line))] \
        == ["高", "中"]
    run = cli(*QS_ARGS, "--lang", "en", env={"COLUMNS": "80"})
    lines = run.stdout.splitlines()
    assert max(_width(line) for line in lines) <= 80
    heads = [m.group(1) for line in lines if (m := re.match(r"([A-Z]+) \(\d+", line))]
    order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
    assert heads == sorted(heads, key=order.index) and heads[:2] == ["HIGH", "MEDIUM"]
    assert "\033[" not in run.stdout  # not a terminal: no colour


def test_no_color_wins_over_a_terminal(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert text.use_colour(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert text.use_colour(Tty()) is False


def test_coloured_summary_keeps_width(cli, tmp_path):
    path = tmp_path / "r.json"
    cli(*QS_ARGS, "--json", str(path), "-q")
    result = Result.model_validate_json(path.read_text(encoding="utf-8"))
    plain = text.render(result, "en", colour=False, width=80)
    coloured = text.render(result, "en", colour=True, width=80)
    import re
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_violations_out_holds_every_violation(cli, tmp_path, suffix):
    out = tmp_path / f"violations{suffix}"
    path = tmp_path / "r.json"
    assert cli(*QS_ARGS, "--json", str(path), "--violations-out", str(out), "--max-samples", "1").exit_code == 1
    result = json.loads(path.read_text(encoding="utf-8"))
    if suffix == ".csv":
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = pq.read_table(out).to_pylist()
    assert len(rows) == result["summary"]["violations"]
    per_rule = {}
    for r in rows:
        per_rule[r["rule_id"]] = per_rule.get(r["rule_id"], 0) + 1
    assert per_rule == {r["rule_id"]: r["violations"] for r in result["results"] if r["violations"]}
    # samples were capped at one, the file was not
    assert all(len(r["samples"]) <= 1 for r in result["results"])
    dup = sorted(int(r["row"]) for r in rows if r["rule_id"] == "QS-003")
    assert dup == [4, 5]


def test_fingerprints_and_samples_do_not_depend_on_how_violations_are_listed(cli, tmp_path):
    """Checks with one or two violations are keyed from the counting scan, the others by a second
    scan (always with --violations-out); both ways give the same fingerprints and samples."""
    def run(*extra):
        path = tmp_path / "r.json"
        cli(*QS_ARGS, "--json", str(path), *extra)
        return {r["rule_id"]: (r["fingerprints"], r["samples"]) for r in json.loads(path.read_text("utf-8"))["results"]}

    plain, written = run(), run("--violations-out", str(tmp_path / "v.csv"))
    assert plain == written
    assert sum(len(prints) for prints, _ in plain.values()) >= 10
    assert any(1 <= len(prints) <= 2 for prints, _ in plain.values())       # the scan-listed path is taken


def test_violations_out_needs_a_known_extension(cli, tmp_path):
    run = cli(*QS_ARGS, "--violations-out", str(tmp_path / "v.txt"))
    assert run.exit_code == 2
    assert "must end in .csv or .parquet" in run.stderr


def test_fail_on_threshold(cli):
    assert cli(*QS_ARGS, "--fail-on", "never", "-q").exit_code == 0
    assert cli(*QS_ARGS, "--fail-on", "critical", "-q").exit_code == 0
    assert cli(*QS_ARGS, "--fail-on", "high", "-q").exit_code == 1


def test_pii_is_masked_unless_asked(cli, tmp_path):
    masked = cli(*QS_ARGS, "--format", "json").stdout
    assert "13812345678" not in masked and "王小明" not in masked
    shown = cli(*QS_ARGS, "--format", "json", "--show-pii").stdout
    assert "1381234" in shown


def test_lint_reports_type_errors_found_by_binding(cli, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text((QS / "rules" / "customer-service.yaml").read_text(encoding="utf-8").replace(
        "expect: cust.customer_id IS NOT NULL", "expect: created_at > 5"), encoding="utf-8")
    run = cli("lint", str(rules), "--schemas", str(QS / "schemas"))
    assert run.exit_code == 1
    line = next(out for out in run.stdout.splitlines() if "X206" in out)
    lineno = rules.read_text(encoding="utf-8").splitlines().index("    expect: created_at > 5") + 1
    assert line.startswith(f"{rules}:{lineno}:13: X206 rule QS-004: expect: the SQL does not type-check in DuckDB:")


def test_lint_clean_rules_exit_zero(cli):
    run = cli("lint", str(QS / "rules"), "--schemas", str(QS / "schemas"))
    assert run.exit_code == 0, run.stdout
    assert run.stderr.strip() == "0 errors, 0 warnings"


def test_lint_missing_path_is_usage_error(cli, tmp_path):
    assert cli("lint", str(tmp_path / "nope")).exit_code == 2


def test_explain_shows_clauses_versions_and_sql(cli):
    run = cli("explain", "QS-001", "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"),
              "--as-of", "2026-06-30")
    assert run.exit_code == 0
    assert "clauses: M1.2, M4.5" in run.stdout
    assert "1.0.0  in force 2026-01-01 .. open" in run.stdout
    assert "TO_HOURS(24)" in run.stdout.upper()
    assert "params: high_response_hours=24" in run.stdout


def test_explain_unknown_rule_suggests(cli):
    run = cli("explain", "QS-01", "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"))
    assert run.exit_code == 2
    assert "did you mean" in run.stderr


def test_explain_functions_lists_whitelist(cli):
    run = cli("explain", "--functions")
    assert run.exit_code == 0 and "date_diff" in run.stdout and "count_if" in run.stdout


def test_record_text_cannot_start_a_line_in_the_terminal_summary(cli):
    hostile = ROOT / "tests" / "cases" / "render" / "hostile"
    run = cli("check", "--data", str(hostile / "data"), "--rules", str(hostile / "rules"), "--schemas",
              str(hostile / "schemas"), "--as-of", "2026-06-30", "--lang", "en")
    assert "::error" in run.stdout                      # the payload is shown ...
    assert not any(line.startswith("::") for line in run.stdout.splitlines())   # ... but never as a command


def test_a_data_folder_with_no_export_at_all_is_exit_2_even_with_allow_missing(cli, tmp_path):
    (tmp_path / "data").mkdir()
    run = cli("check", "--data", str(tmp_path / "data"), "--allow-missing")
    assert run.exit_code == 2
    assert f"{tmp_path / 'data'}: D402 no export of any known dataset" in run.stderr


def test_the_demo_folder_is_ignored_by_git():
    assert "/checker-demo/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_check_help_breaks_lines_between_words():
    from click.testing import CliRunner

    from checker.cli import main

    res = CliRunner().invoke(main, ["check", "--help"], terminal_width=80)
    words = res.output.split()
    assert "DOMAIN/NAME.EXT" in words and "datasets.yaml." in words and "parquet," in words
