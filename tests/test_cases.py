"""Golden case folders: tests/cases/<area>/<case>/case.yaml, run through the real CLI.

A case holds its rules, schemas and data (or uses tests/cases/_shared) and a
case.yaml saying what a user must see: the exit code, exact error lines, and the
status, counts, sample rows and keys of the results.  Every result file a case
produces is also validated against schemas/result.schema.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import ROOT

CASES = Path(__file__).parent / "cases"
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))


def _cases():
    for path in sorted(CASES.glob("*/*/case.yaml")):
        yield pytest.param(path.parent, id=f"{path.parent.parent.name}/{path.parent.name}")


def _subset(expected, actual, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: missing key {key!r} in {sorted(actual)}"
            _subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list) and expected and all(isinstance(e, dict) for e in expected):
        assert isinstance(actual, list) and len(actual) == len(expected), \
            f"{where}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _subset(e, a, f"{where}[{i}]")
    else:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case: Path, cli, tmp_path):
    spec = YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))
    args = [str(a) for a in spec["args"]]
    if args[0] == "check" and "--json" not in args:
        args += ["--json", str(tmp_path / "result.json")]
    run = cli(*args, cwd=case)
    assert run.exit_code == spec["exit"], f"exit {run.exit_code}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    if "stderr" in spec:
        assert run.stderr.strip() == spec["stderr"].strip()
    for text in spec.get("stderr_contains", []):
        assert text in run.stderr, f"{text!r} not in stderr:\n{run.stderr}"
    if "stdout" in spec:
        assert run.stdout.strip() == spec["stdout"].strip()
    for text in spec.get("stdout_contains", []):
        assert text in run.stdout, f"{text!r} not in stdout:\n{run.stdout}"
    assert "Traceback" not in run.stdout + run.stderr
    expected = spec.get("result")
    if run.result is not None:
        jsonschema.Draft202012Validator(RESULT_SCHEMA).validate(run.result)
    if expected is None:
        return
    assert run.result is not None, f"no result file\nstderr:\n{run.stderr}"
    by_id = {r["rule_id"]: r for r in run.result["results"]}
    for rule_id, want in (expected.get("results") or {}).items():
        assert rule_id in by_id, f"no result for {rule_id}; have {sorted(by_id)}"
        got = by_id[rule_id]
        want = dict(want)
        rows = want.pop("rows", None)
        keys = want.pop("keys", None)
        messages = want.pop("messages", None)
        waived_rows = want.pop("waived_rows", None)
        if waived_rows is not None:
            assert [(s["row"], s["waiver"]) for s in got["waived_samples"]] == [tuple(w) for w in waived_rows]
        _subset(want, got, rule_id)
        if rows is not None:
            assert [s["row"] for s in got["samples"]] == rows, f"{rule_id} sample rows"
        if keys is not None:
            assert [s["key"] for s in got["samples"]] == keys, f"{rule_id} sample keys"
        if messages is not None:
            assert [s["message"] for s in got["samples"]] == messages, f"{rule_id} messages"
    for rule_id in expected.get("absent", []):
        assert rule_id not in by_id, f"{rule_id} should not be in the result"
    for key in ("summary", "as_of", "exit_code", "waivers", "warnings"):
        if key in expected:
            _subset(expected[key], run.result[key], key)
    if "inputs" in expected:
        got_inputs = {i["dataset"]: i for i in run.result["inputs"]}
        for ds, want in expected["inputs"].items():
            _subset(want, got_inputs[ds], f"inputs.{ds}")
