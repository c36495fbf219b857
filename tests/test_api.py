"""The Python API (`checker.api`): the same answers as the command line, from folders, files and frames.

* Every golden `check` case through `checker.api.check`: `result.to_json()` is the CLI's `--json` file
  byte for byte, the timing fields aside.
* The quickstart's records as a pyarrow Table, a pandas and a polars DataFrame and a DuckDB relation:
  the same answers each way, read in place (no file), each record's row its 1-based position.
* `result.violations()` holds every violation with `--violations-out`'s columns; `render` writes reports;
  a problem raises `checker.CheckerError` with positioned `problems`; `__all__` is the public surface.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.json as pajson
import pytest
from ruamel.yaml import YAML

import checker
import checker.api as api
from checker.evaluate.violations import ViolationWriter
from conftest import ROOT

CASES = Path(__file__).parent / "cases"
QUICKSTART = ROOT / "examples" / "quickstart"
#: options the golden cases pass, as the API's keywords
FLAGS = {"--allow-missing": "allow_missing", "--show-pii": "show_pii"}
VALUED = {"--as-of": "as_of", "--schemas": "schemas", "--lang": "lang", "--waivers": "waivers",
          "--rules-at": "rules_at", "--fail-on": "fail_on", "--data": "data", "--max-samples": "max_samples"}


def _golden_checks():
    for path in sorted(CASES.glob("*/*/case.yaml")):
        spec = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        args = [str(a) for a in spec["args"]]
        if args[0] == "check" and spec["exit"] in (0, 1) and all(
                a in FLAGS or a in VALUED or a == "--rules" or not a.startswith("--") for a in args[1:]):
            yield pytest.param(path.parent, args[1:], id=f"{path.parent.parent.name}/{path.parent.name}")


def _keywords(args: list[str]) -> dict:
    out: dict = {"rules": []}
    i = 0
    while i < len(args):
        a = args[i]
        if a in FLAGS:
            out[FLAGS[a]] = True
            i += 1
        elif a == "--rules":
            out["rules"].append(args[i + 1])
            i += 2
        else:
            out[VALUED[a]] = int(args[i + 1]) if a == "--max-samples" else args[i + 1]
            i += 2
    out["rules"] = out["rules"] or None
    return out


def _untimed(text: str) -> str:
    data = json.loads(text)
    data["run"]["started_at"], data["run"]["duration_ms"] = "-", 0
    return json.dumps(data, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("case, args", list(_golden_checks()))
def test_to_json_is_the_cli_s_result_file(case, args, cli, tmp_path, monkeypatch):
    run = cli("check", *args, "--json", str(tmp_path / "cli.json"), cwd=case)
    assert run.exit_code in (0, 1), run.stderr
    monkeypatch.chdir(case)
    monkeypatch.setenv("CHECKER_LANG", "en")           # the language the cli fixture runs the command line in
    kw = _keywords(args)
    result = api.check(kw.pop("data"), **kw)
    cli_text = (tmp_path / "cli.json").read_text(encoding="utf-8")
    assert _untimed(result.to_json()) == _untimed(cli_text)
    assert result.exit_code == run.exit_code
    unwaived = sum(r.violations for r in result.results)
    assert result.violations().num_rows == unwaived


def _quickstart_frames() -> dict[str, pa.Table]:
    con = duckdb.connect()
    complaints = con.sql(f"SELECT * FROM read_csv('{QUICKSTART / 'data' / 'crm' / 'complaints.csv'}', "
                         "all_varchar = true, null_padding = true)").to_arrow_table()
    customers = pajson.read_json(QUICKSTART / "data" / "crm" / "customers.jsonl")
    return {"crm.complaints": complaints, "crm.customers": customers}


def _answers(result) -> dict:
    return {r.rule_id: (r.status, r.checked, r.violations, [s.row for s in r.samples], [s.key for s in r.samples])
            for r in result.results}


def _check(data):
    return api.check(data, rules=QUICKSTART / "rules", schemas=QUICKSTART / "schemas", as_of="2026-06-30",
                     lang="en")


def test_every_kind_of_frame_gives_the_same_answers():
    import pandas as pd
    import polars as pl

    tables = _quickstart_frames()
    by_arrow = _check(tables)
    assert by_arrow.summary.failed > 0
    assert [(i.dataset, i.path, i.format, i.rows) for i in by_arrow.inputs] == [
        ("crm.complaints", None, "arrow", tables["crm.complaints"].num_rows),
        ("crm.customers", None, "arrow", tables["crm.customers"].num_rows)]
    assert _check({k: v.to_pandas() for k, v in tables.items()}).summary == by_arrow.summary
    assert isinstance(tables["crm.customers"].to_pandas(), pd.DataFrame)
    polars_frames = {k: pl.from_arrow(v) for k, v in tables.items()}
    assert _answers(_check(polars_frames)) == _answers(by_arrow)
    con = duckdb.connect()
    relation = con.sql(f"SELECT * FROM read_csv('{QUICKSTART / 'data' / 'crm' / 'complaints.csv'}', "
                       "all_varchar = true, null_padding = true)")
    mixed = _check({"crm.complaints": relation, "crm.customers": QUICKSTART / "data" / "crm" / "customers.jsonl"})
    assert _answers(mixed) == _answers(by_arrow)


def test_frames_and_files_agree_on_the_rules():
    by_files = _check(QUICKSTART / "data")
    by_frames = _check(_quickstart_frames())
    for rule in ("QS-001", "QS-002", "QS-003", "QS-004"):     # rows are record positions both ways
        assert _answers(by_frames)[rule] == _answers(by_files)[rule], rule
    same_input = {i.dataset: i.sha256 for i in _check(_quickstart_frames()).inputs}
    assert same_input == {i.dataset: i.sha256 for i in by_frames.inputs}     # a frame is fingerprinted


def test_native_values_of_a_frame_are_typed_or_violations_never_changed():
    """A frame's native timestamps are date-times as they are; a number where the schema wants a string is
    a ``type`` violation at its position, and the other records are still checked."""
    import datetime as dt

    complaints = pa.table({
        "complaint_id": ["C1", "C2", "C3"], "customer_id": ["K001", "K002", "K001"],
        "severity": ["high", "high", "low"],
        "created_at": [dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 2, 9), dt.datetime(2026, 3, 3, 9)],
        "first_response_at": [dt.datetime(2026, 3, 1, 10), dt.datetime(2026, 3, 4, 9), None],
        "closed_at": [dt.datetime(2026, 3, 2, 9)] * 3,
        "handler_id": pa.array([1, 2, 3], pa.int64())})            # a number where the schema wants text
    result = _check({"crm.complaints": complaints, "crm.customers": _quickstart_frames()["crm.customers"]})
    answers = _answers(result)
    assert answers["QS-001"][:4] == ("fail", 2, 1, [2])              # C2 answered after 48 hours
    assert answers["schema:crm.complaints.handler_id:type"][2:4] == (3, [1, 2, 3])
    assert result.inputs[0].rows == 3


def test_violations_and_render(tmp_path):
    result = _check(QUICKSTART / "data")
    table = result.violations()
    assert tuple(table.column_names) == ViolationWriter.COLUMNS
    assert table.num_rows == result.summary.violations
    assert set(table.column("rule_id").to_pylist()) == {r.rule_id for r in result.results if r.violations}
    for fmt, name in (("html", "r.html"), ("md", "r.md"), ("sarif", "r.sarif"), ("junit", "r.xml")):
        written = api.render(result, fmt, tmp_path / name, lang="en")
        assert written.stat().st_size > 0
    assert "QS-001" in (tmp_path / "r.md").read_text(encoding="utf-8")
    frames = _check(_quickstart_frames())
    api.render(frames, "sarif", tmp_path / "f.sarif")
    sarif = json.loads((tmp_path / "f.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["artifacts"][0]["location"] == {"index": 0}


@pytest.mark.parametrize("data, kw, code", [
    ({"crm.nope": pa.table({"x": [1]})}, {}, "R111"),
    ({"crm.complaints": object()}, {}, "D405"),
    ({"crm.complaints": "missing.csv"}, {}, "D402"),
    (None, {"fail_onn": "low"}, "C701"),
    (None, {"as_of": "30/06/2026"}, "C702"),
    ({"crm.complaints": pa.table({"x": [1]})}, {"engine": "spark"}, "D405"),
])
def test_problems_raise_checker_error_with_codes(data, kw, code):
    options = {"as_of": "2026-06-30", **kw}
    with pytest.raises(checker.CheckerError) as err:
        api.check(QUICKSTART / "data" if data is None else data, rules=QUICKSTART / "rules",
                  schemas=QUICKSTART / "schemas", **options)
    assert code in [str(p.code) for p in err.value.problems]


def test_the_public_surface_is_listed_and_typed():
    assert set(api.__all__) == {"CheckerError", "Result", "check", "render"}
    assert all(hasattr(api, name) for name in api.__all__)
    assert checker.CheckerError is api.CheckerError
    assert (ROOT / "checker" / "py.typed").is_file()
    with pytest.raises(checker.CheckerError):
        checker.api.Result.model_validate(json.loads(_check(QUICKSTART / "data").to_json())).violations()
