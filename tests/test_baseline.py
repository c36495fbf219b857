"""Baselines: violations already present in an earlier result do not fail the run; new ones do."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT

ROW_CASE = ROOT / "tests" / "cases" / "kinds" / "row"
SCHEMAS = ROOT / "tests" / "cases" / "_shared" / "schemas"
HEADER = "complaint_id,customer_id,severity,created_at,first_response_at,closed_at,contact_phone\n"


def _args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["check", "--data", str(data), "--rules", str(ROW_CASE / "rules"), "--schemas", str(SCHEMAS),
            "--as-of", "2026-06-30", "--allow-missing", "--json", str(out), *extra]


def _write(folder: Path, lines: list[str]) -> Path:
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    (folder / "crm" / "complaints.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return folder


def _by_id(path: Path) -> dict:
    return {r["rule_id"]: r for r in json.loads(path.read_text(encoding="utf-8"))["results"]}


def test_baseline_marks_new_existing_and_fixed(cli, tmp_path):
    before = ROW_CASE / "data" / "crm" / "complaints.csv"
    lines = before.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    old = tmp_path / "old.json"
    assert cli(*_args(ROW_CASE / "data", old)).exit_code == 1
    assert _by_id(old)["ROW-001"]["violations"] == 2          # C000002 and C000004

    # fix C000002, add a new late complaint C000009, reverse the row order and edit an unrelated column
    fixed = lines[1].replace("2026-03-03 10:00:00", "2026-03-01 11:00:00")
    new = "C000009,K9,high,2026-03-01 09:00:00,2026-03-05 09:00:00,2026-03-06 09:00:00,13700000000\n"
    edited = [row.replace("13912345679", "13912340000") for row in [lines[0], fixed, *lines[2:]]]
    data = _write(tmp_path / "after", list(reversed(edited)) + [new])
    result = tmp_path / "new.json"
    run = cli(*_args(data, result, "--baseline", str(old)))
    assert run.exit_code == 1                                  # C000009 is new
    row1 = _by_id(result)["ROW-001"]
    assert row1["baseline"] == {"new": 1, "existing": 1, "fixed": 1}
    assert {s["key"]["complaint_id"]: s["new"] for s in row1["samples"]} == {"C000004": False, "C000009": True}
    assert _by_id(result)["ROW-002"]["baseline"]["new"] == 0   # same open complaints, other order and phones


def test_only_existing_violations_pass_with_a_baseline(cli, tmp_path):
    old = tmp_path / "old.json"
    cli(*_args(ROW_CASE / "data", old))
    shuffled = _write(tmp_path / "again", list(reversed(
        (ROW_CASE / "data" / "crm" / "complaints.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:])))
    result = tmp_path / "new.json"
    assert cli(*_args(shuffled, result, "--baseline", str(old))).exit_code == 0
    assert cli(*_args(shuffled, result)).exit_code == 1       # without the baseline it still fails


def test_fingerprints_ignore_row_order(cli, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    cli(*_args(ROW_CASE / "data", a))
    lines = (ROW_CASE / "data" / "crm" / "complaints.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    cli(*_args(_write(tmp_path / "rev", list(reversed(lines))), b))
    assert {k: v["fingerprints"] for k, v in _by_id(a).items()} == {k: v["fingerprints"] for k, v in _by_id(b).items()}


def test_bad_baseline_file_is_a_clean_error(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1}', encoding="utf-8")
    run = cli(*_args(ROW_CASE / "data", tmp_path / "r.json", "--baseline", str(bad)))
    assert run.exit_code == 2
    assert "not a checker result file" in run.stderr and "Traceback" not in run.stderr
