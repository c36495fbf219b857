"""Differential test: the compiled structural checks against the ``jsonschema`` library.

Hypothesis generates flat dataset schemas over the supported keywords and types, and records
with edge values (integers beyond 2^53 and 2^63, NaN-like and JSON-unlike spellings, leap
seconds, impossible dates).  Every record goes through the real loader and the compiled checks;
every (record, check) verdict must equal what ``jsonschema`` says of that keyword alone on that
value.  JSON Lines records are JSON values; CSV cells are text, read as the contract's
"Reading text" fixes (:func:`read_text`), then judged by ``jsonschema`` like JSON values.

The documented deviations (README, "Every record is accounted for") are applied to the oracle
here, each in one place:

- ``format: date-time`` reads ISO 8601 as exports write it (``T`` or a space, offset optional):
  :func:`iso_datetime`;
- an ``integer`` column is BIGINT: a whole number outside -2^63..2^63-1 is a ``type`` violation;
  a ``number`` column holds doubles: a value is judged as the nearest double (:func:`stored`);
- ``format: email`` is not compared: ``jsonschema`` accepts any string containing ``@``, the
  checker an RFC 5321 address as the official suite tests it.

``DIFFERENTIAL_EXAMPLES`` (schemas) and ``DIFFERENTIAL_RECORDS`` (records per schema) size the
``slow`` run: ``DIFFERENTIAL_EXAMPLES=2100 .venv/bin/pytest -q -s -m slow tests/test_differential_jsonschema.py``;
``DIFFERENTIAL_RANDOM=1`` draws new examples instead of the fixed ones.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from checker.compile.structural import compile_structural
from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.load.sources import Source

MISSING = object()
_files = itertools.count()  # a JSON record without the key

INTS = [0, 1, -1, 2, 3, 10, 2 ** 53, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, -(2 ** 63), -(2 ** 63) - 1, 10 ** 20]
FLOATS = [0.5, 1.0, -0.0, 2.5, -2.5, 0.1, 1e300, -1e-300, 1e20, 9007199254740992.0, 3.0]
STRINGS = ["", "a", "ab", "abc", "aaz", "1", "12", "-1", "1.0", "2.5", "1e2", "-0", "true", "TRUE", "False",
           "NaN", "nan", "Infinity", "-Infinity", "inf", "1_000", "+1", "01", " 1", "0x10", "yes",
           "9223372036854775808", "99999999999999999999", "9007199254740993",
           "2026-01-01", "2026-02-30", "2024-02-29", "2026/01/01", "2026-01-01T10:00:00Z", "2026-01-01 10:00:00",
           "2026-01-01T10:00:00+08:00", "2026-01-01t10:00:00z", "2016-12-31T23:59:60Z",
           "1998-12-31T15:59:60-08:00", "2026-01-01T22:59:60Z", "2026-01-01T24:00:00Z", "2026-01-01T10:00:00.123Z",
           "é", "éé", "中文字", "\U0001F600"]
PATTERNS = ["^1", "a", "^[0-9]+$", "^$", "\\d", "^a.*z$", "^[a-c]{2}$"]
BOUNDS = [0, 1, -1, 2.5, 0.1, 2 ** 53, 2 ** 63 - 1, 10 ** 20, 1e20]
TYPES = [None, "integer", "number", "string", "boolean", "null", ["integer", "null"], ["number", "null"],
         ["string", "null"], ["boolean", "null"], ["number", "string"], ["integer", "string"], ["boolean", "number"],
         ["integer", "number"], ["boolean", "integer", "string", "null"]]

scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(INTS), st.integers(-3, 12), st.sampled_from(FLOATS),
                    st.sampled_from(STRINGS), st.text(alphabet="ab1.-e ", max_size=3))


def _key(x: Any) -> str:
    return json.dumps([type(x).__name__, x])


@st.composite
def columns(draw) -> dict[str, Any]:
    """A column schema the loader accepts: a type (or none) and some keywords."""
    col: dict[str, Any] = {}
    t = draw(st.sampled_from(TYPES))
    if t is not None:
        col["type"] = t
    if draw(st.booleans()):
        col["enum"] = draw(st.lists(scalars, min_size=1, max_size=4, unique_by=_key))
    if draw(st.integers(0, 4)) == 0:
        col["const"] = draw(scalars)
    if draw(st.integers(0, 2)) == 0:
        col["pattern"] = draw(st.sampled_from(PATTERNS))
    for kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            col[kw] = draw(st.sampled_from(BOUNDS))
    for kw in ("minLength", "maxLength"):
        if draw(st.integers(0, 3)) == 0:
            col[kw] = draw(st.integers(0, 3))
    types = {t} if isinstance(t, str) else set(t or ())
    if draw(st.integers(0, 2)) == 0 and (not types or "string" in types):
        col["format"] = draw(st.sampled_from(["date", "date-time"]))
        if types - {"null"} == {"string"}:  # stored as DATE/TIMESTAMP: the text keywords are refused (S302)
            for kw in ("pattern", "minLength", "maxLength") + (("enum", "const") if col["format"] == "date-time"
                                                                 else ()):
                col.pop(kw, None)
    return col


@st.composite
def cases(draw, records: int):
    """(dataset schema, JSON records, CSV rows of text) for one example."""
    cols = draw(st.lists(columns(), min_size=1, max_size=3))
    names = [f"c{i}" for i in range(len(cols))]
    required = [n for n in names if draw(st.booleans())]
    schema = {"type": "object", "properties": dict(zip(names, cols, strict=True)), "required": required}
    json_records = [{n: v for n in names if (v := draw(st.one_of(scalars, st.just(MISSING)))) is not MISSING}
                    for _ in range(records)]
    text_cells = st.one_of(st.sampled_from(STRINGS),
                           st.sampled_from([str(i) for i in INTS] + [repr(f) for f in FLOATS]),
                           st.text(alphabet="ab1.-eE ", max_size=3))
    csv_rows = [[draw(text_cells) for _ in names] for _ in range(records)]
    return schema, json_records, csv_rows


# -- the oracle -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))?")


def read_text(col: dict[str, Any], text: str) -> Any:
    """A CSV cell as the contract reads it: the first of null, integer, number, boolean, string that the
    column's type admits (an untyped column admits all) and that the text spells."""
    declared = col.get("type")
    types = None if declared is None else ({declared} if isinstance(declared, str) else set(declared))
    admits = lambda t: types is None or t in types  # noqa: E731
    if text == "":
        return None
    if _NUMBER.fullmatch(text):
        number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        if admits("integer") and (isinstance(number, int) or number.is_integer()):
            return number
        if admits("number"):
            return number
    if admits("boolean") and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def iso_datetime(s: str) -> bool:
    """The contract's default ``iso`` reading of a date-time: RFC 3339 with a space allowed for ``T``
    and the offset optional (UTC); a leap second only at 23:59:60 UTC."""
    if not isinstance(s, str):
        return True  # a format judges strings only
    m = _ISO.fullmatch(s)
    if not m:
        return False
    try:
        day = date.fromisoformat(m[1])
    except ValueError:
        return False
    hh, mm, ss = int(m[2]), int(m[3]), int(m[4])
    oh, om = (int(m[8]), int(m[9])) if m[7] else (0, 0)
    if hh > 23 or mm > 59 or ss > 60 or oh > 23 or om > 59:
        return False
    if ss == 60:
        sign = -1 if m[7] == "-" else 1
        utc = datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC) - sign * timedelta(hours=oh,
                                                                                                       minutes=om)
        return (utc.hour, utc.minute) == (23, 59)
    return True


FORMATS = FormatChecker(["date"])
FORMATS.checks("date-time")(iso_datetime)


def stored(col: dict[str, Any], value: Any) -> tuple[Any, bool]:
    """(the value as its column stores it, whether it cannot be stored): the documented deviations of
    BIGINT and DOUBLE columns."""
    declared = col.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or ())
    types.discard("null")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and types == {"integer"} and float(value).is_integer() and not -2 ** 63 <= value < 2 ** 63:
        return value, True
    if number and types in ({"number"}, {"integer", "number"}):
        return float(value), False
    return value, False


def expected(schema: dict[str, Any], record: dict[str, Any]) -> set[str]:
    """The checks ``jsonschema`` says a record violates (named like the checker's, without the dataset)."""
    out = set()
    for name, col in schema["properties"].items():
        if name not in record:
            if name in schema["required"]:
                out.add(f"{name}:required")
            continue
        value, unstorable = stored(col, record[name])
        if unstorable:
            out.add(f"{name}:type")
        for kw, arg in col.items():
            if not Draft202012Validator({kw: arg}, format_checker=FORMATS).is_valid(value):
                out.add(f"{name}:{kw}")
    return out


# -- the checker ------------------------------------------------------------------------------------

def actual(engine: DuckDBEngine, tmp: Path, schema: dict[str, Any], data: Any, fmt: str) -> list[set[str]]:
    """The checks each record violates, by the real loader and compiled checks."""
    n = next(_files)
    schema_path = tmp / f"s{n}.schema.json"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    ds = load_schema("crm.diff", schema_path)
    if fmt == "jsonl":
        loaded = engine.load_records(ds, data, "diff.jsonl")
    else:
        path = tmp / f"d{n}.csv"
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(list(schema["properties"]))
        writer.writerows(data)
        path.write_text(buf.getvalue(), encoding="utf-8")
        loaded = engine.load(ds, Source("crm.diff", path, path.name, "csv"))
    checks = [c for c in compile_structural(loaded, "t") if c.keyword != "shape"]
    rows = engine.fetchall(f"SELECT t.__row, {', '.join(c.violation for c in checks)} FROM {loaded.table} AS t "
                           f"ORDER BY t.__row")
    assert [r[0] for r in rows] == list(range(1, len(data) + 1))
    return [{c.rule_id.split(".", 2)[2] for c, hit in zip(checks, row[1:], strict=True) if hit} for row in rows]


def compare(engine, tmp, schema, json_records, csv_rows) -> tuple[int, list[str]]:
    """(records compared, disagreements) for one example, in both formats."""
    found = []
    for fmt, data, records in (
            ("jsonl", json_records, json_records),
            ("csv", csv_rows, [{n: read_text(col, cell)
                                for (n, col), cell in zip(schema["properties"].items(), row, strict=True)}
                               for row in csv_rows])):
        for i, (record, got) in enumerate(zip(records, actual(engine, tmp, schema, data, fmt), strict=True)):
            want = expected(schema, record)
            if got != want:
                found.append(f"{fmt} record {i + 1} {json.dumps(data[i], default=str)}: checker {sorted(got)}, "
                             f"jsonschema {sorted(want)}; schema {json.dumps(schema)}")
    return 2 * len(json_records), found


@pytest.fixture(scope="module")
def engine():
    eng = DuckDBEngine(threads=1)
    yield eng
    eng.close()


def _run(engine, tmp, examples: int, records: int) -> dict[str, Any]:
    totals: dict[str, Any] = {"records": 0, "disagreements": {}}  # dict: replayed examples count once

    @settings(max_examples=examples, derandomize="DIFFERENTIAL_RANDOM" not in os.environ, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases(records))
    def check(case):
        n, found = compare(engine, tmp, *case)
        totals["records"] += n
        totals["disagreements"].update(dict.fromkeys(found))

    check()
    return totals


def test_checks_agree_with_jsonschema(engine, tmp_path):
    """A fixed-seed run: every verdict of every check on every record agrees."""
    totals = _run(engine, tmp_path, examples=120, records=12)
    assert totals["records"] >= 2000
    assert not totals["disagreements"], "\n".join(list(totals["disagreements"])[:20])


def test_the_oracle_reads_text_as_the_contract_says():
    """The oracle's reading of CSV text (what the CSV half of the comparison rests on)."""
    assert [read_text({"type": "integer"}, t) for t in ("12", "1.0", "1_000", "NaN", "")] == [12, 1.0, "1_000",
                                                                                          "NaN", None]
    assert read_text({"type": ["number", "boolean"]}, "TRUE") is True
    assert read_text({}, "01") == "01" and read_text({"type": "string"}, "12") == "12"
    assert iso_datetime("2026-01-01 10:00:00") and iso_datetime("1998-12-31T23:59:60Z")
    assert iso_datetime("1998-12-31T15:59:60-08:00") and not iso_datetime("1998-12-31T22:59:60Z")
    assert not iso_datetime("2026-02-30T10:00:00") and not iso_datetime("2026-01-01T10:00")


@pytest.mark.slow
def test_long_differential_run(engine, tmp_path):
    """The long run whose figures the README gives (>= 100,000 records at the defaults)."""
    examples = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "2100"))
    records = int(os.environ.get("DIFFERENTIAL_RECORDS", "24"))
    start = time.monotonic()
    totals = _run(engine, tmp_path, examples, records)
    print(f"\ndifferential run: {totals['records']} records, {len(totals['disagreements'])} disagreements, "
          f"{time.monotonic() - start:.0f} s")
    assert not totals["disagreements"], "\n".join(list(totals["disagreements"])[:20])
