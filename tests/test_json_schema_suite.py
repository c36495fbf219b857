"""The official JSON Schema test suite (draft 2020-12), run through the compiled structural checks.

Each test group's schema is mapped onto the flat record model: a suite schema ``S``
applied to an instance becomes the dataset schema
``{"type": "object", "properties": {"v": S}}`` and the instance becomes the record
``{"v": instance}``.  A group whose schema is itself an object schema with
``properties``/``required`` (``required.json``, "enums in properties") is used as the
dataset schema directly, and its object instances are the records.  All instances
of a group are loaded in one ``load_records`` call (row = index + 1); a record is
valid iff no structural check other than ``schema:...:shape`` is violated, and that
verdict must agree with the suite's.

For the format files every string instance also runs against a typed column
(``{"type": "string", "format": F}``), which is stored as DATE/TIMESTAMP rather
than as raw JSON; those cases have ids ending in ``::string column``.

Cases outside the flat record model are skipped only when listed by id in SKIPPED.
The suite lives outside the repository (``../shared/external/json-schema-test-suite``
in CI); ``CHECKER_JSON_SCHEMA_SUITE`` overrides the path.  A missing suite fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from checker.compile.structural import compile_structural
from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.problems import CheckerError

ENV = "CHECKER_JSON_SCHEMA_SUITE"
DEFAULT_SUITE = Path(__file__).resolve().parents[2] / "shared" / "external" / "json-schema-test-suite"
DRAFT = Path("tests") / "draft2020-12"

#: The keyword files the flat record model supports.
FILES = ("type.json", "enum.json", "const.json", "pattern.json", "minimum.json", "maximum.json",
         "exclusiveMinimum.json", "exclusiveMaximum.json", "minLength.json", "maxLength.json", "required.json",
         "optional/format/date.json", "optional/format/date-time.json", "optional/format/email.json")
#: Files whose string instances also run against a typed (DATE/TIMESTAMP/VARCHAR) column.
FORMAT_FILES = {"optional/format/date.json": "date", "optional/format/date-time.json": "date-time",
                "optional/format/email.json": "email"}
TYPED = "string column"
MIN_RUN_SHARE = 0.85

_COLUMN_TYPE = "columns hold scalar values: load_schema refuses type object/array (S302)"
_NOT_SCALAR = "enum/const values must be scalars in a flat record model: load_schema refuses them (S302)"
_NOT_RECORD = "a record is always a JSON object; a non-object instance cannot be a record"

#: Case id -> why it cannot run in a flat record model.
SKIPPED: dict[str, str] = {
    **{f"type.json::object type matches objects::{t}": _COLUMN_TYPE for t in (
        "an integer is not an object", "a float is not an object", "a string is not an object",
        "an object is an object", "an array is not an object", "a boolean is not an object",
        "null is not an object")},
    **{f"type.json::array type matches arrays::{t}": _COLUMN_TYPE for t in (
        "an integer is not an array", "a float is not an array", "a string is not an array",
        "an object is not an array", "an array is an array", "a boolean is not an array",
        "null is not an array")},
    **{f"type.json::type: array or object::{t}": _COLUMN_TYPE for t in (
        "array is valid", "object is valid", "number is invalid", "string is invalid", "null is invalid")},
    **{f"type.json::type: array, object or null::{t}": _COLUMN_TYPE for t in (
        "array is valid", "object is valid", "null is valid", "number is invalid", "string is invalid")},
    **{f"enum.json::heterogeneous enum validation::{t}": _NOT_SCALAR for t in (
        "one of the enum is valid", "something else is invalid", "objects are deep compared",
        "valid object matches", "extra properties in object is invalid")},
    **{f"enum.json::enum with [{v}] does not match [{w}]::{t}": _NOT_SCALAR
       for v, w, tests in (("false", "0", ("[false] is valid", "[0] is invalid", "[0.0] is invalid")),
                           ("true", "1", ("[true] is valid", "[1] is invalid", "[1.0] is invalid")),
                           ("0", "false", ("[false] is invalid", "[0] is valid", "[0.0] is valid")),
                           ("1", "true", ("[true] is invalid", "[1] is valid", "[1.0] is valid")))
       for t in tests},
    **{f"const.json::const with object::{t}": _NOT_SCALAR for t in (
        "same object is valid", "same object with different property order is valid",
        "another object is invalid", "another type is invalid")},
    **{f"const.json::const with array::{t}": _NOT_SCALAR for t in (
        "same array is valid", "another array item is invalid", "array with additional items is invalid")},
    **{f"const.json::const with [false] does not match [0]::{t}": _NOT_SCALAR for t in (
        "[false] is valid", "[0] is invalid", "[0.0] is invalid")},
    **{f"const.json::const with [true] does not match [1]::{t}": _NOT_SCALAR for t in (
        "[true] is valid", "[1] is invalid", "[1.0] is invalid")},
    **{f'const.json::const with {{"a": false}} does not match {{"a": 0}}::{t}': _NOT_SCALAR for t in (
        '{"a": false} is valid', '{"a": 0} is invalid', '{"a": 0.0} is invalid')},
    **{f'const.json::const with {{"a": true}} does not match {{"a": 1}}::{t}': _NOT_SCALAR for t in (
        '{"a": true} is valid', '{"a": 1} is invalid', '{"a": 1.0} is invalid')},
    **{f"required.json::required validation::{t}": _NOT_RECORD for t in (
        "ignores arrays", "ignores strings", "ignores other non-objects", "ignores null", "ignores boolean")},
    **{f"required.json::required properties whose names are Javascript object property names::{t}": _NOT_RECORD
       for t in ("ignores arrays", "ignores other non-objects")},
}


# -- the suite ---------------------------------------------------------------------------------------

def suite_root() -> Path:
    env = os.environ.get(ENV)
    return Path(env).expanduser().resolve() if env else DEFAULT_SUITE


def draft_dir() -> Path | None:
    root = suite_root()
    for candidate in (root / DRAFT, root):
        if (candidate / "type.json").is_file():
            return candidate
    return None


def _missing_message() -> str:
    return (f"JSON Schema test suite not found at {suite_root()} (expected {DRAFT}/type.json under it); "
            f"check out https://github.com/json-schema-org/JSON-Schema-Test-Suite there "
            f"or set {ENV} to its path")


def _read_groups() -> dict[str, list[dict[str, Any]]]:
    base = draft_dir()
    if base is None:
        return {}
    out = {}
    for name in FILES:
        path = base / name
        out[name] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return out


GROUPS = _read_groups()


def _is_object_schema(schema: Any) -> bool:
    """An object schema with properties/required: used as the dataset schema itself."""
    return isinstance(schema, dict) and ("properties" in schema or "required" in schema) and (
        schema.get("type", "object") == "object")


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def case_id(file: str, group: dict[str, Any], test: dict[str, Any], variant: str | None = None) -> str:
    return f"{file}::{group['description']}::{test['description']}" + (f"::{variant}" if variant else "")


def _cases() -> list[tuple[str, str, int, int, str | None]]:
    """(id, file, group index, test index, variant) for every case, in suite order."""
    out = []
    for file, groups in GROUPS.items():
        for g, group in enumerate(groups or []):
            for n, test in enumerate(group["tests"]):
                out.append((case_id(file, group, test), file, g, n, None))
            if file in FORMAT_FILES:
                out.extend((case_id(file, group, test, TYPED), file, g, n, TYPED)
                           for n, test in enumerate(group["tests"]) if _is_string(test["data"]))
    return out


CASES = _cases()


# -- running one group -------------------------------------------------------------------------------

def _dataset_schema(file: str, schema: Any, variant: str | None) -> tuple[dict[str, Any], bool]:
    """(dataset schema, whether instances are records themselves)."""
    if _is_object_schema(schema):
        ds = {k: v for k, v in schema.items()}
        ds["type"] = "object"
        props = dict(ds.get("properties", {}))
        # a flat dataset schema declares every column; an unconstrained property ({}) changes nothing
        for name in ds.get("required", []):
            props.setdefault(name, {})
        ds["properties"] = props
        return ds, True
    if not isinstance(schema, dict):
        raise AssertionError(f"{file}: boolean schemas are not in the flat record model")
    column = {k: v for k, v in schema.items() if k != "$schema"}
    if variant == TYPED:
        column = {"type": "string", **column}
    ds: dict[str, Any] = {"type": "object", "properties": {"v": column}}
    if "$schema" in schema:
        ds["$schema"] = schema["$schema"]
    return ds, False


class GroupRun:
    """The verdicts of one test group: test index -> (valid, violated check names) or a refusal."""

    def __init__(self, verdicts: dict[int, tuple[bool, list[str]]] | None = None, error: str | None = None):
        self.verdicts = verdicts or {}
        self.error = error


def run_group(engine: DuckDBEngine, tmp: Path, file: str, g: int, variant: str | None) -> GroupRun:
    group = GROUPS[file][g]
    ds, as_records = _dataset_schema(file, group["schema"], variant)
    wanted = []
    for n, test in enumerate(group["tests"]):
        if case_id(file, group, test, variant) in SKIPPED:
            continue
        if variant == TYPED and not _is_string(test["data"]):
            continue
        wanted.append(n)
    if not wanted:
        return GroupRun()
    path = tmp / f"g{abs(hash((file, g, variant)))}.schema.json"
    path.write_text(json.dumps(ds, ensure_ascii=False), encoding="utf-8")
    try:
        schema = load_schema("crm.suite", path)
    except CheckerError as err:
        return GroupRun(error="load_schema refused the schema: "
                        + "; ".join(f"{p.code} {p.message}" for p in err.problems))
    records = []
    for n in wanted:
        data = group["tests"][n]["data"]
        if as_records:
            assert isinstance(data, dict), f"{case_id(file, group, group['tests'][n], variant)}: not an object"
            records.append(data)
        else:
            records.append({"v": data})
    loaded = engine.load_records(schema, records, f"{file}#{g}")
    checks = compile_structural(loaded, "t")
    cols = ", ".join(c.violation for c in checks)
    rows = engine.fetchall(f"SELECT t.__row, {cols} FROM {loaded.table} AS t ORDER BY t.__row")
    assert [r[0] for r in rows] == list(range(1, len(records) + 1)), "one row per record, numbered from 1"
    verdicts = {}
    for n, row in zip(wanted, rows):
        violated = [c.rule_id for c, hit in zip(checks, row[1:]) if hit]
        assert not any(name.endswith(":shape") for name in violated), f"record {row[0]} was not read: {violated}"
        verdicts[n] = (not violated, violated)
    return GroupRun(verdicts)


@pytest.fixture(scope="module")
def engine():
    eng = DuckDBEngine(threads=1)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def group_runs(engine, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("suite")
    cache: dict[tuple[str, int, str | None], GroupRun] = {}

    def get(file: str, g: int, variant: str | None) -> GroupRun:
        key = (file, g, variant)
        if key not in cache:
            cache[key] = run_group(engine, tmp, file, g, variant)
        return cache[key]

    return get


# -- tests -------------------------------------------------------------------------------------------

def test_suite_is_present():
    assert draft_dir() is not None, _missing_message()
    missing = [name for name, groups in GROUPS.items() if groups is None]
    assert not missing, f"suite files missing under {draft_dir()}: {', '.join(missing)}"


@pytest.mark.parametrize("cid,file,g,n,variant", CASES or [("suite-missing", "", 0, 0, None)],
                         ids=[c[0] for c in CASES] or ["suite-missing"])
def test_case(cid, file, g, n, variant, group_runs):
    if not file:
        pytest.fail(_missing_message())
    if cid in SKIPPED:
        pytest.skip(SKIPPED[cid])
    run = group_runs(file, g, variant)
    group = GROUPS[file][g]
    test = group["tests"][n]
    assert run.error is None, f"{cid}: {run.error}\nschema: {json.dumps(group['schema'])}"
    valid, violated = run.verdicts[n]
    assert valid == test["valid"], (
        f"{cid}: the suite says {'valid' if test['valid'] else 'invalid'}, the checks say "
        f"{'valid' if valid else 'invalid (' + ', '.join(violated) + ')'}\n"
        f"schema: {json.dumps(group['schema'])}\ninstance: {json.dumps(test['data'])}")


def test_skipped_names_exist():
    assert draft_dir() is not None, _missing_message()
    ids = {c[0] for c in CASES}
    stale = sorted(set(SKIPPED) - ids)
    assert not stale, "SKIPPED names cases the suite does not have:\n  " + "\n  ".join(stale)


def test_case_ids_are_unique():
    assert draft_dir() is not None, _missing_message()
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_most_cases_run():
    assert draft_dir() is not None, _missing_message()
    base = [c for c in CASES if c[4] is None]
    ran = [c for c in base if c[0] not in SKIPPED]
    share = len(ran) / len(base)
    assert share >= MIN_RUN_SHARE, f"only {len(ran)} of {len(base)} suite cases run ({share:.0%})"
    for file in FILES:
        assert any(c[1] == file for c in ran), f"no case of {file} runs"
