"""Inputs past a reading limit are coded problems or violations, never an internal error.

Each test is one input a user can write (the quickstart with one file changed), run through the
real command line: a CSV mixing line endings is read record for record; a CSV field longer than
the csv module's default; YAML, JSON exports and result files nested or numbered past the limits.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.compile import structural
from checker.load import readers, yamlio
from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(QUICKSTART, tmp_path / "q")
    return tmp_path / "q"


def _check(cli, project: Path, *extra: str):
    return cli("check", "--data", str(project / "data"), "--rules", str(project / "rules"),
               "--schemas", str(project / "schemas"), "--as-of", "2026-06-30", "--lang", "en",
               "--json", str(project.parent / "out.json"), *extra)


def _clean(run) -> None:
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr + run.stdout


def _samples(result: dict, dataset: str) -> list[tuple]:
    return sorted((r["rule_id"], s["row"], s.get("line")) for r in result["results"] if r["dataset"] == dataset
                  for s in r["samples"])


def test_a_csv_mixing_lf_crlf_and_lone_cr_is_read_record_for_record(cli, project):
    csv = project / "data" / "crm" / "complaints.csv"
    base = _check(cli, project)
    lines = csv.read_bytes().split(b"\n")
    ends = (b"\r\n", b"\r", b"\n")
    csv.write_bytes(b"".join(line + ends[i % 3] for i, line in enumerate(lines) if line))
    mixed = _check(cli, project)
    _clean(mixed)
    assert mixed.exit_code == base.exit_code == 1
    assert mixed.result["inputs"][0]["rows"] == base.result["inputs"][0]["rows"] == len([x for x in lines if x]) - 1
    # the same violations at the same records; a lone CR ends a line as LF does, so lines agree too
    assert _samples(mixed.result, "crm.complaints") == _samples(base.result, "crm.complaints")


def test_a_field_over_the_csv_module_default_is_read_on_the_exact_path(cli, project):
    csv = project / "data" / "crm" / "complaints.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",E" + "x" * 140_000     # handler id of record 1
    lines[2] += ",extra"                                              # a ragged record ...
    lines.insert(3, "")                                               # ... and a blank line: read exactly
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 1
    assert run.result["inputs"][0]["rows"] == len(lines) - 2          # header and blank line are no records
    shape = [s for r in run.result["results"] if r["rule_id"] == "schema:crm.complaints:shape" for s in r["samples"]]
    assert (2, 3) in {(s["row"], s["line"]) for s in shape}


def test_a_field_over_the_reading_limit_is_d403_at_its_line(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n1,2\n\n3,4,5\n6,\"" + "x" * (readers.MAX_FIELD + 1) + "\"\n", encoding="utf-8")
    with pytest.raises(readers.CheckerError) as err:
        readers.read_csv_exact(path, ",", "big.csv")
    problem = err.value.problems[0]
    assert problem.code == "D403" and problem.span.line == 5
    assert f"{readers.MAX_FIELD:,}" in problem.hint.render("en")


def test_yaml_nested_past_the_limit_is_y002_at_the_node(cli, project, tmp_path):
    rules = project / "rules" / "customer-service.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + "\nx: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 2 and " Y002 " in run.stderr
    assert f"more than {yamlio.MAX_DEPTH} levels" in run.stderr
    assert f"customer-service.yaml:{text.count(chr(10)) + 2}:" in run.stderr      # the line of the deep value


def test_yaml_nested_past_the_limit_through_aliases_is_y002():
    text = "x0: &x0 [1]\n" + "".join(f"x{i}: &x{i} [*x{i - 1}]\n" for i in range(1, 2 * yamlio.MAX_DEPTH))
    with pytest.raises(yamlio.CheckerError) as err:
        yamlio.load_text(text, "deep.yaml")
    assert err.value.problems[0].code == "Y002"


def test_yaml_just_within_the_limit_loads():
    depth = yamlio.MAX_DEPTH - 1
    doc = yamlio.load_text("x: " + "[" * depth + "1" + "]" * depth + "\n", "ok.yaml")
    value = doc.data["x"]
    for _ in range(depth):
        (value,) = value
    assert value == 1


def _json_export(project: Path, replace_gold_with: str) -> None:
    jsonl = project / "data" / "crm" / "customers.jsonl"
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    jsonl.unlink()
    text = json.dumps(records, ensure_ascii=False).replace('"gold"', replace_gold_with, 1)
    (project / "data" / "crm" / "customers.json").write_text(text, encoding="utf-8")


def test_a_json_export_with_a_5000_digit_integer_is_a_violation_of_that_record(cli, project):
    _json_export(project, "9" * 5000)
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 1 and run.result["inputs"][1]["rows"] == 4
    enum = [s for r in run.result["results"] if r["rule_id"] == "schema:crm.customers.tier:enum" for s in r["samples"]]
    assert 1 in {s["row"] for s in enum}


def test_a_json_export_nested_100000_deep_is_d403_with_the_limit(cli, project):
    _json_export(project, "[" * 100_000 + "]" * 100_000)
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 2 and " D403 " in run.stderr
    assert f"more than {readers.MAX_JSON_DEPTH} levels" in run.stderr


def test_a_json_lines_record_past_the_limits_is_read_and_judged(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": ' + "[" * 100_000 + "]" * 100_000 + '}\n{"a": ' + "9" * 5000 + "}\n",
                    encoding="utf-8")
    records = list(readers._records_jsonl(path))
    assert [n for n, _, _ in records] == [1, 2, 3]
    assert records[1][2] == f"json:deep:{readers.MAX_JSON_DEPTH}"
    said = structural.shape_message(records[1][2])
    assert f"{readers.MAX_JSON_DEPTH} levels" in said.render("en") and f"{readers.MAX_JSON_DEPTH}" in said.render("zh")
    assert records[2][2] is None and readers._json_text(records[2][1]["a"]) == "9" * 5000


def test_too_deep_ignores_brackets_inside_strings():
    assert not readers.too_deep(json.dumps({"a": "[" * 500}), 3)
    assert readers.too_deep("[[[[1]]]]", 3) and not readers.too_deep("[[[1]]]", 3)


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"version": ' + "9" * 5000 + "}"],
                         ids=["deep", "long-int"])
def test_a_result_file_past_the_limits_is_t502_for_report_and_d403_for_baseline(cli, project, body):
    bad = project.parent / "bad.json"
    bad.write_text(body, encoding="utf-8")
    report = cli("report", str(bad), "--md", str(project.parent / "r.md"))
    _clean(report)
    assert report.exit_code == 2 and " T502 " in report.stderr and "(the limit)" in report.stderr
    baseline = _check(cli, project, "--baseline", str(bad))
    _clean(baseline)
    assert baseline.exit_code == 2 and " D403 " in baseline.stderr


def test_a_workbook_whose_sheet_is_corrupt_is_d403(tmp_path):
    import zipfile

    seed = ROOT / "tests" / "cases" / "formats" / "xlsx" / "data" / "exports" / "投訴.xlsx"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
    data = bytearray(broken.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    start = data.index(name) + len(name)         # the sheet's compressed bytes follow its local header's name
    data[start + 20:start + 40] = b"\x00" * 20   # the directory still opens; the sheet's stream does not
    broken.write_bytes(bytes(data))
    with pytest.raises(readers.CheckerError) as err:
        readers.read_xlsx(broken, None, "broken.xlsx")
    assert err.value.problems[0].code == "D403" and "cannot read sheet" in err.value.problems[0].text("en")


@pytest.mark.parametrize("entry, code", [
    ('{path: c.csv, delimiter: ";;"}', "D405"),
    ("{path: c.csv, delimiter: '\"'}", "D405"),
    ('{path: c.csv, delimiter: "\\n"}', "D405"),
    ('{path: "a\\0b.csv"}', "D402"),
    ("{path: " + "a/" * 3000 + "x.csv}", "D402"),
], ids=["two-chars", "quote", "newline", "nul-byte", "name-too-long"])
def test_a_manifest_entry_the_file_system_or_csv_cannot_use_is_coded(cli, project, entry, code):
    data = project / "data"
    (data / "crm" / "complaints.csv").rename(data / "c.csv")
    (data / "datasets.yaml").write_text(f"crm.complaints: {entry}\n", encoding="utf-8")
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 2 and "datasets.yaml:1:" in run.stderr and f" {code} " in run.stderr


def test_a_rejected_line_longer_than_duckdb_shows_is_read_whole(cli, project):
    """DuckDB's rejects table shows a line's first 10,000 characters: such a line is read exactly, not cut."""
    csv = project / "data" / "crm" / "complaints.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    fields = lines[4].split(",")                     # record 4: its phone number 1381234 breaks the pattern
    fields[7] += "9" * 20_000
    lines[4] = ",".join(fields) + ",extra"           # and the record is ragged, so DuckDB rejects it
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _check(cli, project)
    _clean(run)
    phone = [s for r in run.result["results"] if r["rule_id"] == "schema:crm.complaints.contact_phone:pattern"
             for s in r["samples"] if s["row"] == 4]
    assert phone and len(phone[0]["message"]) > 20_000    # the whole value (masked), not its first 10,000


def test_a_line_over_the_duckdb_limit_is_a_violation_of_its_record(cli, project):
    csv = project / "data" / "crm" / "complaints.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[2] += "x" * (readers.MAX_FIELD + 10)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _check(cli, project)
    _clean(run)
    assert run.exit_code == 1 and run.result["inputs"][0]["rows"] == len(lines) - 1
    shape = [s for r in run.result["results"] if r["rule_id"] == "schema:crm.complaints:shape" for s in r["samples"]]
    assert any(s["row"] == 2 and f"{readers.MAX_FIELD:,} characters" in s["message"] for s in shape)
