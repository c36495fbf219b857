"""Structural checks judge values with JSON Schema's semantics, whatever the export format.

Each test writes a one-column dataset schema and an export, runs the real command line and
reads which records each structural check found.  The classes covered are the ones a
differential run against the ``jsonschema`` library found: a keyword of one type on a column
of another, enum/const on multi-type columns, CSV spellings of numbers and booleans, integers
beyond BIGINT, bounds judged alongside ``type``, the set of checks, and decimals never rounded.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

RULES = """ruleset: t.semantics
version: 1.0.0
title: {zh: 語義, en: Semantics}
effective: {from: 2026-01-01}
rules:
  - id: SEM-001
    title: {zh: 編號為正, en: Ids are positive}
    clauses: [M1.2]
    severity: low
    dataset: crm.t
    expect: id > 0
    message: {zh: "編號 {{ id }}", en: "Id {{ id }}"}
"""


def _write(tmp: Path, column: dict[str, Any], values: list[Any], fmt: str) -> None:
    (tmp / "s" / "crm").mkdir(parents=True)
    (tmp / "d" / "crm").mkdir(parents=True)
    (tmp / "r").mkdir()
    (tmp / "r" / "r.yaml").write_text(RULES, encoding="utf-8")
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, "v": column}}
    (tmp / "s" / "crm" / "t.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    out = tmp / "d" / "crm" / f"t.{fmt}"
    if fmt == "csv":  # values are the cells' text; None is an empty cell
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["id", "v"])
        writer.writerows([i + 1, "" if v is None else v] for i, v in enumerate(values))
        out.write_text(buf.getvalue(), encoding="utf-8")
    elif fmt == "jsonl":  # values are JSON values
        out.write_text("".join(json.dumps({"id": i + 1, "v": v}) + "\n" for i, v in enumerate(values)),
                       encoding="utf-8")
    elif fmt == "parquet":  # values are SQL expressions of one native type
        rows = " UNION ALL ".join(f"SELECT {i + 1} AS id, {v} AS v" for i, v in enumerate(values))
        duckdb.connect().execute(f"COPY ({rows} ORDER BY id) TO '{out}' (FORMAT parquet)")
    elif fmt == "xlsx":  # values are cell values (text cells are read as CSV text is)
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["id", "v"])
        for i, v in enumerate(values):
            ws.append([i + 1, v])
        wb.save(out)


def run(cli, tmp_path, column: dict[str, Any], values: list[Any], fmt: str = "csv") -> dict[str, Any]:
    """keyword -> (rows that violate it, messages) for column v; only checks that exist are listed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    _write(tmp_path, column, values, fmt)
    res = cli("check", "--data", "d", "--rules", "r", "--schemas", "s", "--as-of", "2026-06-30",
              "--lang", "en", "--allow-missing", "--json", "out.json", cwd=tmp_path)
    assert res.exit_code in (0, 1), res.stdout + res.stderr
    assert "internal error" not in res.stdout + res.stderr
    out = {}
    for r in res.result["results"]:
        if r["rule_id"].startswith("schema:crm.t.v:"):
            out[r["rule_id"].rsplit(":", 1)[1]] = ([s["row"] for s in r["samples"]],
                                                    [s["message"] for s in r["samples"]])
    return out


def rows(found, keyword):
    return found[keyword][0]


# -- a keyword judges only values of its own type ---------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("column, csv_values, json_values, keyword, bad", [
    ({"type": "integer", "pattern": "^1"}, ["12", "23"], [12, 23], "pattern", []),
    ({"type": "number", "minLength": 2}, ["1", "2.5"], [1, 2.5], "minLength", []),
    ({"type": "string", "minimum": 2}, ["1", "a"], ["1", "a"], "minimum", []),
    ({"minimum": 2}, ["1", "a", "3"], [1, "a", 3], "minimum", [1]),
    ({"maxLength": 2}, ["12345", "abc", "ab"], [12345, "abc", "ab"], "maxLength", [2]),
    ({"type": ["number", "boolean"], "maxLength": 2}, ["12345", "TRUE", "abc"], [12345, True, "abc"],
     "maxLength", [3]),
])
def test_a_keyword_judges_only_its_type(cli, tmp_path, fmt, column, csv_values, json_values, keyword, bad):
    found = run(cli, tmp_path, column, csv_values if fmt == "csv" else json_values, fmt)
    assert rows(found, keyword) == bad


# -- enum and const compare by JSON equality, whatever the export -------------------------------------

@pytest.mark.parametrize("fmt, values", [
    ("csv", ["a", "1", "1.0", "b", "true", "2"]),
    ("jsonl", ["a", 1, 1.0, "b", True, 2]),
    ("xlsx", ["a", 1, "1.0", "b", "true", 2]),
])
def test_enum_on_untyped_columns(cli, tmp_path, fmt, values):
    found = run(cli, tmp_path, {"enum": ["a", 1, True]}, values, fmt)
    assert rows(found, "enum") == [4, 6]


def test_enum_on_a_multi_type_parquet_column(cli, tmp_path):
    found = run(cli, tmp_path, {"type": ["integer", "string"], "enum": [1, 3]}, ["1", "2", "3"], "parquet")
    assert rows(found, "enum") == [2]
    found = run(cli, tmp_path / "s2", {"const": "a"}, ["'a'", "'b'"], "parquet")
    assert rows(found, "const") == [2]


def test_const_integers_compare_exactly(cli, tmp_path):
    found = run(cli, tmp_path, {"const": 9007199254740993}, ["9007199254740993", "9007199254740992"], "csv")
    assert rows(found, "const") == [2]


# -- how CSV text spells numbers and booleans -------------------------------------------------------

@pytest.mark.parametrize("column", [{"type": "number"}, {"type": "integer"}])
def test_csv_numbers_follow_json_grammar(cli, tmp_path, column):
    values = ["NaN", "inf", "Infinity", "-Infinity", "1_000", "+1", "01", " 1", "0x10", "12", "1e2", "-0"]
    found = run(cli, tmp_path, column, values)
    assert rows(found, "type") == list(range(1, 10))


def test_csv_booleans_are_true_or_false_in_any_case(cli, tmp_path):
    found = run(cli, tmp_path, {"type": "boolean"}, ["true", "FALSE", "True", "yes", "1", "t"])
    assert rows(found, "type") == [4, 5, 6]


def test_nan_is_not_a_number_in_untyped_columns(cli, tmp_path):
    found = run(cli, tmp_path, {"minimum": 0, "maxLength": 2}, ["NaN", "-1", "-Infinity"])
    assert rows(found, "minimum") == [2]
    assert rows(found, "maxLength") == [1, 3]  # they are strings


# -- integers of any size ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, values", [("csv", ["99999999999999999999", "1.5", "-9223372036854775808"]),
                                         ("jsonl", [99999999999999999999, 1.5, -9223372036854775808])])
def test_an_integer_beyond_bigint_is_a_range_violation(cli, tmp_path, fmt, values):
    found = run(cli, tmp_path, {"type": "integer"}, values, fmt)
    assert rows(found, "type") == [1, 2]
    big, fraction = found["type"][1]
    assert "cannot store exactly" in big and "BIGINT" in big and "not of type" not in big
    assert "is not of type integer" in fraction


def test_untyped_big_integers_compare_exactly(cli, tmp_path):
    found = run(cli, tmp_path, {"maximum": 99999999999999999998}, [99999999999999999999, 99999999999999999998],
                "jsonl")
    assert rows(found, "maximum") == [1]


# -- a value failing type is still judged by the keywords of its own type --------------------------

def test_bounds_judged_alongside_type(cli, tmp_path):
    found = run(cli, tmp_path, {"type": "integer", "minimum": 5}, [1.5, 3, 7, "x"], "jsonl")
    assert rows(found, "type") == [1, 4]
    assert rows(found, "minimum") == [1, 2]


def test_string_keywords_judge_a_string_in_a_number_column(cli, tmp_path):
    found = run(cli, tmp_path, {"type": "number", "maxLength": 2, "pattern": "^a"}, ["abc", "12345", "b"])
    assert rows(found, "type") == [1, 3]
    assert rows(found, "maxLength") == [1]
    assert rows(found, "pattern") == [3]


# -- the set of checks depends only on the schema ---------------------------------------------------

def test_checks_do_not_depend_on_the_export(cli, tmp_path):
    column = {"type": "string", "format": "date"}
    in_csv = run(cli, tmp_path / "a", column, ["2026-01-01", "2026-02-30"])
    in_parquet = run(cli, tmp_path / "b", column, ["DATE '2026-01-01'", "DATE '2026-02-01'"], "parquet")
    (tmp_path / "c").mkdir()
    _write(tmp_path / "c", column, [], "csv")
    (tmp_path / "c" / "d" / "crm" / "t.csv").write_text("id\n1\n", encoding="utf-8")  # no column v
    res = cli("check", "--data", "d", "--rules", "r", "--schemas", "s", "--as-of", "2026-06-30",
              "--allow-missing", "--json", "out.json", cwd=tmp_path / "c")
    missing = {r["rule_id"] for r in res.result["results"] if r["rule_id"].startswith("schema:crm.t.v:")}
    assert set(in_csv) == set(in_parquet) == {k.rsplit(":", 1)[1] for k in missing} == {"type", "format"}
    assert rows(in_csv, "format") == [2] and rows(in_parquet, "format") == []


# -- no silent change: a value stored inexactly is a violation citing its raw text ------------------

@pytest.mark.parametrize("fmt, values", [("csv", ["1.005", "-0.001", "1.5", "123456789.5"]),
                                         ("jsonl", [1.005, -0.001, 1.5, 123456789.5])])
def test_decimals_are_never_rounded(cli, tmp_path, fmt, values):
    found = run(cli, tmp_path, {"type": "number", "x-decimal": [10, 2], "maximum": 1}, values, fmt)
    assert rows(found, "type") == [1, 2, 4]
    assert "'1.005'" in found["type"][1][0] and "DECIMAL(10,2)" in found["type"][1][0]
    assert "'-0.001'" in found["type"][1][1]
    assert rows(found, "maximum") == [1, 3, 4]  # the exact number is still judged by its bounds


@pytest.mark.parametrize("column, values, bad", [
    ({"type": "integer"}, ["1.0::DOUBLE", "1.5::DOUBLE"], [2]),
    ({"type": "integer"}, ["true", "false"], [1, 2]),
    ({"type": "number", "x-decimal": [10, 2]}, ["1.25::DOUBLE", "1.005::DOUBLE", "1.5::DECIMAL(10,3)"], [2]),
    ({"type": "boolean"}, ["1", "0"], [1, 2]),
    ({"type": "string", "format": "date"}, ["TIMESTAMP '2026-01-01 00:00:00'", "TIMESTAMP '2026-01-01 10:00:00'"],
     [2]),
    ({"type": ["string", "boolean"]}, ["1", "2"], [1, 2]),
    ({"type": ["integer", "null"]}, ["2.0::DOUBLE", "2.5::DOUBLE"], [2]),
])
def test_parquet_values_are_never_rounded_or_reinterpreted(cli, tmp_path, column, values, bad):
    found = run(cli, tmp_path, column, values, "parquet")
    assert rows(found, "type") == bad


def test_escaped_astral_characters_in_a_schema_are_characters(cli, tmp_path):
    """json.dumps writes U+1F600 as a surrogate-pair escape; the schema means the character."""
    found = run(cli, tmp_path, {"enum": ["\U0001F600"], "maxLength": 1}, ["\U0001F600", "a\U0001F600"])
    assert rows(found, "enum") == [2] and rows(found, "maxLength") == [2]


@pytest.mark.parametrize("fmt, values", [("csv", ["1e400", "-1e400", "1e308"]),
                                         ("jsonl", ["1e400", "-1e400", "1e308"])])
def test_a_number_beyond_double_is_a_range_violation(cli, tmp_path, fmt, values):
    if fmt == "jsonl":  # written as JSON numbers (json.dumps would write Infinity)
        _write(tmp_path, {"type": "number"}, [0, 0, 0], fmt)
        path = tmp_path / "d" / "crm" / "t.jsonl"
        path.write_text("".join(f'{{"id": {i + 1}, "v": {v}}}\n' for i, v in enumerate(values)), encoding="utf-8")
        res = cli("check", "--data", "d", "--rules", "r", "--schemas", "s", "--as-of", "2026-06-30", "--lang", "en",
                  "--allow-missing", "--json", "out.json", cwd=tmp_path)
        found = {r["rule_id"].rsplit(":", 1)[1]: [s["row"] for s in r["samples"]] for r in res.result["results"]
                 if r["rule_id"].startswith("schema:crm.t.v:")}
        assert found["type"] == [1, 2]
        return
    found = run(cli, tmp_path, {"type": "number"}, values, fmt)
    assert rows(found, "type") == [1, 2]
    assert "cannot store exactly" in found["type"][1][0] and "DOUBLE" in found["type"][1][0]
