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

Cases outside the flat record model are skipped only when SKIPPED names them (by case or group id).
A copy of the suite's draft 2020-12 files, with its LICENSE, is in ``tests/data/json-schema-test-suite``;
``CHECKER_JSON_SCHEMA_SUITE`` points at another copy (a newer suite, say).  A missing suite fails.
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
DEFAULT_SUITE = Path(__file__).resolve().parent / "data" / "json-schema-test-suite"   # a copy, with its LICENSE
DRAFT = Path("tests") / "draft2020-12"

#: The keyword files the flat record model supports.
CORE_FILES = ("type.json", "enum.json", "const.json", "pattern.json", "minimum.json", "maximum.json",
              "exclusiveMinimum.json", "exclusiveMaximum.json", "minLength.json", "maxLength.json", "required.json",
              "optional/format/date.json", "optional/format/date-time.json", "optional/format/email.json")
#: Also run: ECMA-262 regex semantics of ``pattern`` (patterns are translated for DuckDB's RE2).
FILES = CORE_FILES + ("optional/ecmascript-regex.json",)
#: Files whose string instances also run against a typed (DATE/TIMESTAMP/VARCHAR) column.
FORMAT_FILES = {"optional/format/date.json": "date", "optional/format/date-time.json": "date-time",
                "optional/format/email.json": "email"}
TYPED = "string column"
#: Share of the CORE_FILES cases that must run.  The skips below are all forced by the flat record model
#: (24 object/array column types, 36 object/array enum/const values, 7 non-object records of 397 cases),
#: so 83% is the ceiling; a new skip makes this test fail.
MIN_RUN_SHARE = 0.83

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
    """The suite's draft 2020-12 folder (the variable may name the suite or that folder), if present."""
    root = suite_root()
    for candidate in (root / DRAFT, root):
        if (candidate / "type.json").is_file():
            return candidate
    return None


def _missing_message() -> str:
    return (f"JSON Schema test suite not found at {suite_root()} (expected {DRAFT}/type.json under it); "
            f"check out https://github.com/json-schema-org/JSON-Schema-Test-Suite there "
            f"or set {ENV} to its path")


def _read_groups() -> dict[str, list[dict[str, Any]] | None]:
    base = draft_dir()
    if base is None:
        return {}
    return {name: json.loads((base / name).read_text(encoding="utf-8")) if (base / name).is_file() else None
            for name in FILES}


GROUPS = _read_groups()


def case_id(file: str, group: dict[str, Any], test: dict[str, Any], variant: str | None = None) -> str:
    return f"{file}::{group['description']}::{test['description']}" + (f"::{variant}" if variant else "")


def _cases() -> list[tuple[str, str, int, int, str | None, str | None]]:
    """(id, file, group index, test index, variant, skip reason) for every case, in suite order."""
    out = []
    for file, groups in GROUPS.items():
        for g, group in enumerate(groups or []):
            for n, test in enumerate(group["tests"]):
                out.append((case_id(file, group, test), file, g, n, None, skip_reason(file, group, test)))
            if file in FORMAT_FILES:
                out.extend((case_id(file, group, test, TYPED), file, g, n, TYPED, skip_reason(file, group, test))
                           for n, test in enumerate(group["tests"]) if isinstance(test["data"], str))
    return out


CASES = _cases()


# -- running one group -------------------------------------------------------------------------------

def _is_object_schema(schema: Any) -> bool:
    """An object schema with properties/required, used as the dataset schema itself."""
    return isinstance(schema, dict) and ("properties" in schema or "required" in schema) and (
        schema.get("type", "object") == "object")


def dataset_schema(schema: Any, variant: str | None = None) -> tuple[dict[str, Any], bool]:
    """(the dataset schema for a suite schema, whether the instances are the records themselves)."""
    if _is_object_schema(schema):
        ds = dict(schema, type="object")
        props = dict(ds.get("properties", {}))
        for name in ds.get("required", []):  # a dataset schema declares its columns; {} constrains nothing
            props.setdefault(name, {})
        ds["properties"] = props
        return ds, True
    assert isinstance(schema, dict), "boolean schemas are not in the flat record model"
    column = {k: v for k, v in schema.items() if k != "$schema"}
    if variant == TYPED:
        column = {"type": "string", **column}
    ds: dict[str, Any] = {"type": "object", "properties": {"v": column}}
    if "$schema" in schema:
        ds["$schema"] = schema["$schema"]
    return ds, False


def _load(tmp: Path, ds: dict[str, Any]):
    path = tmp / f"s{len(list(tmp.iterdir()))}.schema.json"
    path.write_text(json.dumps(ds, ensure_ascii=False), encoding="utf-8")
    return load_schema("crm.suite", path)


class GroupRun:
    """One test group's verdicts: test index -> (valid, violated check names), or why it could not run."""

    def __init__(self, verdicts: dict[int, tuple[bool, list[str]]] | None = None, error: str | None = None):
        self.verdicts = verdicts or {}
        self.error = error


def run_group(engine: DuckDBEngine, tmp: Path, file: str, g: int, variant: str | None) -> GroupRun:
    """Load every runnable instance of a group as one record each and evaluate every structural check."""
    group = GROUPS[file][g]
    wanted = [n for n, test in enumerate(group["tests"]) if skip_reason(file, group, test) is None
              and (variant != TYPED or isinstance(test["data"], str))]
    if not wanted:
        return GroupRun()
    ds, as_records = dataset_schema(group["schema"], variant)
    try:
        schema = _load(tmp, ds)
    except CheckerError as err:
        return GroupRun(error="load_schema refused the schema: "
                        + "; ".join(f"{p.code} {p.text('en')}" for p in err.problems))
    records = []
    for n in wanted:
        data = group["tests"][n]["data"]
        if as_records and not isinstance(data, dict):
            return GroupRun(error=f"test {n} is not an object, so it cannot be a record")
        records.append(data if as_records else {"v": data})
    loaded = engine.load_records(schema, records, f"{file}#{g}")
    checks = compile_structural(loaded, "t")
    rows = engine.fetchall(f"SELECT t.__row, {', '.join(c.violation for c in checks)} "
                           f"FROM {loaded.table} AS t ORDER BY t.__row")
    if [r[0] for r in rows] != list(range(1, len(records) + 1)):
        return GroupRun(error=f"expected rows 1..{len(records)}, got {[r[0] for r in rows]}")
    verdicts = {}
    for n, row in zip(wanted, rows, strict=True):
        violated = [c.rule_id for c, hit in zip(checks, row[1:], strict=True) if hit]
        if any(c.keyword == "shape" and hit for c, hit in zip(checks, row[1:], strict=True)):
            return GroupRun(error=f"record {row[0]} could not be read as a record")
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
        if (file, g, variant) not in cache:
            cache[file, g, variant] = run_group(engine, tmp, file, g, variant)
        return cache[file, g, variant]

    return get


# -- tests -------------------------------------------------------------------------------------------

def _require_suite() -> None:
    assert draft_dir() is not None, _missing_message()
    missing = [name for name, groups in GROUPS.items() if groups is None]
    assert not missing, f"suite files missing under {draft_dir()}: {', '.join(missing)}"


def test_suite_is_present():
    _require_suite()


@pytest.mark.parametrize("cid,file,g,n,variant,skip", CASES or [("suite-missing", "", 0, 0, None, None)],
                         ids=[c[0] for c in CASES] or ["suite-missing"])
def test_case(cid, file, g, n, variant, skip, group_runs):
    if not file:
        pytest.fail(_missing_message())
    if skip:
        pytest.skip(skip)
    run = group_runs(file, g, variant)
    group = GROUPS[file][g]
    test = group["tests"][n]
    context = f"\nschema: {json.dumps(group['schema'])}\ninstance: {json.dumps(test['data'])}"
    assert run.error is None, f"{cid}: {run.error}{context}"
    valid, violated = run.verdicts[n]
    assert valid == test["valid"], (
        f"{cid}: the suite says {'valid' if test['valid'] else 'invalid'}, the checks say "
        f"{'valid' if valid else 'invalid (' + ', '.join(violated) + ')'}{context}")


def test_skipped_names_exist():
    _require_suite()
    names = {c[0] for c in CASES} | {f"{file}::{group['description']}"
                                     for file, groups in GROUPS.items() for group in groups}
    stale = sorted(set(SKIPPED) - names)
    assert not stale, "SKIPPED names cases the suite does not have:\n  " + "\n  ".join(stale)


def test_case_ids_are_unique():
    _require_suite()
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_refusals_are_real(tmp_path):
    """A group skipped because load_schema refuses it is refused, with S302."""
    _require_suite()
    claimed = {(c[1], c[2]): c[5] for c in CASES if c[5] in REFUSED and c[4] is None}
    assert claimed
    for (file, g), reason in claimed.items():
        group = GROUPS[file][g]
        with pytest.raises(CheckerError) as err:
            _load(tmp_path, dataset_schema(group["schema"])[0])
        codes = {p.code for p in err.value.problems}
        assert codes == {"S302"}, f"{file}::{group['description']}: {codes} ({reason})"


def test_most_cases_run():
    _require_suite()
    base = [c for c in CASES if c[4] is None and c[1] in CORE_FILES]
    ran = [c for c in base if c[5] is None]
    share = len(ran) / len(base)
    assert share >= MIN_RUN_SHARE, f"only {len(ran)} of {len(base)} suite cases run ({share:.1%})"
    for file in FILES:
        assert any(c[1] == file and c[5] is None for c in CASES), f"no case of {file} runs"


# -- the flat model's boundaries the mapping relies on -------------------------------------------------

@pytest.mark.parametrize("column,needle", [
    ({"type": "string", "format": "date", "pattern": "^2"}, "'pattern' is not supported"),
    ({"type": ["string", "null"], "format": "date-time", "minLength": 1}, "'minLength' is not supported"),
    ({"type": "string", "format": "date", "maxLength": 10}, "'maxLength' is not supported"),
    ({"type": "string", "format": "date-time", "enum": ["2024-01-01T00:00:00Z"]}, "'enum' is not supported"),
    ({"type": "string", "format": "date-time", "const": "2024-01-01T00:00:00Z"}, "'const' is not supported"),
    ({"enum": ["a", ["a"]]}, "enum values must be scalars in a flat record model"),
    ({"const": {"a": 1}}, "const values must be scalars in a flat record model"),
    ({"type": "string", "pattern": "^(?=a)"}, "lookaround"),
    ({"type": "string", "pattern": "(a)\\1"}, "backreferences"),
    ({"type": "string", "pattern": "\\p{Script_Extensions=Greek}"}, "not supported"),
    ({"type": "string", "pattern": "a{1001}"}, "cannot be checked"),
], ids=lambda x: json.dumps(x) if isinstance(x, dict) else None)
def test_refused_columns(tmp_path, column, needle):
    with pytest.raises(CheckerError) as err:
        _load(tmp_path, {"type": "object", "properties": {"v": column}})
    messages = [f"{p.code} {p.text('en')}" for p in err.value.problems]
    assert any(m.startswith("S302") and needle in m for m in messages), messages


@pytest.mark.parametrize("column,values,expected", [
    # a valid date has one spelling: enum on a DATE column compares dates, and "2024-1-5" matches nothing
    ({"type": "string", "format": "date", "enum": ["2024-01-05", "2024-1-6"]},
     ["2024-01-05", "2024-01-06", "2024-02-30"], [True, False, False]),
    # "type": "null" admits a null and nothing else
    ({"type": "null"}, [None, 0, "", False], [True, False, False, False]),
    ({"type": "string", "pattern": "^\\p{Lu}\\p{Ll}+$"}, ["Émile", "émile", "E1"], [True, False, False]),
], ids=["date-enum", "null-only", "unicode-pattern"])
def test_flat_columns(engine, tmp_path, column, values, expected):
    schema = _load(tmp_path, {"type": "object", "properties": {"v": column}})
    loaded = engine.load_records(schema, [{"v": x} for x in values], "flat")
    checks = compile_structural(loaded, "t")
    rows = engine.fetchall(f"SELECT {' OR '.join(c.violation for c in checks)} FROM {loaded.table} AS t "
                           f"ORDER BY t.__row")
    assert [not r[0] for r in rows] == expected
