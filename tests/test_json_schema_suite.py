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
         "optional/format/date.json", "optional/format/date-time.json", "optional/format/email.json",
         "optional/ecmascript-regex.json")
#: Files whose string instances also run against a typed (DATE/TIMESTAMP/VARCHAR) column.
FORMAT_FILES = {"optional/format/date.json": "date", "optional/format/date-time.json": "date-time",
                "optional/format/email.json": "email"}
TYPED = "string column"
MIN_RUN_SHARE = 0.85

_COLUMN_TYPE = "columns hold scalar values: load_schema refuses type object/array (S302)"
_NOT_SCALAR = "enum/const values must be scalars in a flat record model: load_schema refuses them (S302)"
_NESTED = "patternProperties/additionalProperties judge nested objects: load_schema refuses them (S302)"
_NOT_RECORD = "a record is always a JSON object; a non-object instance cannot be a record"
#: Skip reasons that claim load_schema refuses the group's schema (checked by test_refusals_are_real).
REFUSED = (_COLUMN_TYPE, _NOT_SCALAR, _NESTED)

#: Why a case cannot run in a flat record model, by case id (file::group::test) or, for every case
#: of a group, by group id (file::group).
SKIPPED: dict[str, str] = {
    "type.json::object type matches objects": _COLUMN_TYPE,
    "type.json::array type matches arrays": _COLUMN_TYPE,
    "type.json::type: array or object": _COLUMN_TYPE,
    "type.json::type: array, object or null": _COLUMN_TYPE,
    "enum.json::heterogeneous enum validation": _NOT_SCALAR,
    "enum.json::enum with [false] does not match [0]": _NOT_SCALAR,
    "enum.json::enum with [true] does not match [1]": _NOT_SCALAR,
    "enum.json::enum with [0] does not match [false]": _NOT_SCALAR,
    "enum.json::enum with [1] does not match [true]": _NOT_SCALAR,
    "const.json::const with object": _NOT_SCALAR,
    "const.json::const with array": _NOT_SCALAR,
    "const.json::const with [false] does not match [0]": _NOT_SCALAR,
    "const.json::const with [true] does not match [1]": _NOT_SCALAR,
    'const.json::const with {"a": false} does not match {"a": 0}': _NOT_SCALAR,
    'const.json::const with {"a": true} does not match {"a": 1}': _NOT_SCALAR,
    **{f"required.json::required validation::{t}": _NOT_RECORD for t in (
        "ignores arrays", "ignores strings", "ignores other non-objects", "ignores null", "ignores boolean")},
    **{f"required.json::required properties whose names are Javascript object property names::{t}": _NOT_RECORD
       for t in ("ignores arrays", "ignores other non-objects")},
    **{f"optional/ecmascript-regex.json::{g}": _NESTED for g in (
        "patterns always use unicode semantics with patternProperties",
        "\\w in patternProperties matches [A-Za-z0-9_], not unicode letters",
        "patternProperties with ASCII ranges",
        "\\d in patternProperties matches [0-9], not unicode digits",
        "patternProperties with non-ASCII digits")},
}


def skip_reason(file: str, group: dict[str, Any], test: dict[str, Any]) -> str | None:
    return SKIPPED.get(f"{file}::{group['description']}") or SKIPPED.get(case_id(file, group, test))


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
