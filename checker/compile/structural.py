"""Structural checks: a dataset's JSON Schema compiled into SQL conditions.

Each supported keyword of each column becomes one check named
``schema:<dataset>.<column>:<keyword>``; a record that cannot be read as a whole
(too many or too few fields, not a JSON object) violates ``schema:<dataset>:shape``.
A check is a condition that is TRUE for a violating record, evaluated in the same
scan as the dataset's row rules.  Keywords follow JSON Schema's semantics: a
keyword only judges values of its own JSON type (``minimum`` ignores strings,
``pattern`` ignores numbers), and an absent property is judged by ``required`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from checker.i18n import Msg, _, _n
from checker.model.dataset import Column, DatasetSchema
from checker.sql.layout import SHAPE, ColumnSource, TableLayout, bad_column, fmt_column
from checker.sql.regex import re2_pattern
from checker.sql.text import qi, ql, valid_date, valid_datetime, valid_email
from checker.sql.values import (
    NUMBER_RE,
    json_class,
    json_string,
    native_class,
    spells_integer,
    spells_number,
    text_class,
)

_NUMBER = re.compile(NUMBER_RE)
SEVERITY = {"required": "high", "type": "high", "shape": "high"}

_TEXT = {
    "required": _("required column {col} is missing"),
    "type": _("{col}: value {value} is not of type {expected}"),
    "null": _("{col} must not be empty"),
    "store": _("{col}: value {value} is a number the column cannot store exactly ({expected})"),
    "enum": _("{col}: value {value} is not one of {expected}"),
    "const": _("{col}: value {value} must be {expected}"),
    "pattern": _("{col}: value {value} does not match {expected}"),
    "minimum": _("{col}: value {value} is below the minimum {expected}"),
    "maximum": _("{col}: value {value} is above the maximum {expected}"),
    "exclusiveMinimum": _("{col}: value {value} must be greater than {expected}"),
    "exclusiveMaximum": _("{col}: value {value} must be less than {expected}"),
    "minLength": _n("{col}: value {value} is shorter than {expected} character",
                    "{col}: value {value} is shorter than {expected} characters", 0),
    "maxLength": _n("{col}: value {value} is longer than {expected} character",
                    "{col}: value {value} is longer than {expected} characters", 0),
    "format": _("{col}: value {value} is not a valid {expected}"),
    "shape": _("malformed record: {value}"),
}
#: what a record's ``__shape`` code means (the loaders write the code, in no language)
_SHAPES = {
    "extra": _n("record has {fields} field but the header has {width}; the extra fields were not read",
                "record has {fields} fields but the header has {width}; the extra fields were not read", 0),
    "missing": _n("record has {fields} field but the header has {width}; the missing fields are empty",
                  "record has {fields} fields but the header has {width}; the missing fields are empty", 0),
    "invalid": _("line is not valid JSON"),
    "invalid_at": _("line is not valid JSON (at column {col})"),
    "deep": _("line is not read: arrays and objects are nested more than {n} levels deep (the limit)"),
    "long": _("record is longer than {limit} characters (the limit); none of its fields were read"),
    "unreadable": _("record could not be read"),
    "array": _("record is a JSON array, not an object"),
    "string": _("record is a JSON string, not an object"),
    "number": _("record is a JSON number, not an object"),
    "boolean": _("record is a JSON boolean, not an object"),
    "null": _("record is a JSON null, not an object"),
    "value": _("record is a JSON value, not an object"),
}


def shape_message(code: str) -> Msg | str:
    """What a ``__shape`` code says (:func:`checker.load.readers.shape_problem`): ``extra:8:6``,
    ``missing:4:6``, ``json:invalid[:col]``, ``json:deep:<limit>``, ``json:<type>``, ``long:<limit>``,
    ``unreadable``."""
    head, _sep, rest = code.partition(":")
    if head in ("extra", "missing"):
        fields, _sep, width = rest.partition(":")
        if fields.isdigit() and width.isdigit():
            return _SHAPES[head].using(fields=int(fields), width=int(width), _count=int(fields))
    if head == "json":
        what, _sep, col = rest.partition(":")
        if what == "invalid":
            return _SHAPES["invalid_at"].using(col=int(col)) if col.isdigit() else _SHAPES["invalid"]
        if what == "deep" and col.isdigit():
            return _SHAPES["deep"].using(n=int(col))
        return _SHAPES.get(what if what != "invalid_at" else "value", _SHAPES["value"])
    if head == "long" and rest.isdigit():
        return _SHAPES["long"].using(limit=f"{int(rest):,}")
    if head == "unreadable":
        return _SHAPES["unreadable"]
    return code


@dataclass(frozen=True)
class StructuralCheck:
    rule_id: str
    dataset: str
    column: str | None
    keyword: str
    severity: str
    violation: str                 # SQL, TRUE when the record violates the check
    evidence: str                  # SQL, the value shown in messages
    expected: str                  # shown in messages
    pii: bool = False
    #: what a numeric column stores ("BIGINT: -2^63 .. 2^63-1", "DECIMAL(10,2)"), for the message of a
    #: number of the right type that it cannot hold exactly
    store: str = ""

    def message(self, value: str, null: bool = False) -> Msg:
        """A violation's message, in no language yet; ``value`` is the evidence as shown."""
        key = "null" if (self.keyword == "type" and null) else self.keyword
        expected = self.expected
        if key == "type" and self.store and _storable_type(value.strip("'"), self.store):
            key, expected = "store", self.store
        if key == "shape":
            return _TEXT["shape"].using(value=shape_message(value))
        count = int(expected) if key in ("minLength", "maxLength") and expected.isdigit() else None
        return _TEXT[key].using(col=self.column, value=value, expected=expected, _count=count)


@dataclass(frozen=True)
class _Value:
    """SQL views of one column's value by JSON type, each NULL unless the value is of that type.

    A value of the wrong type (the ``type`` evidence) is still judged by the keywords of its own
    type, as JSON Schema does: a string in an integer column is judged by ``maxLength``.
    """

    num: str = "CAST(NULL AS DOUBLE)"     # a number, as a double
    int: str = "CAST(NULL AS DECIMAL(38, 0))"    # an integer, exactly (DECIMAL(38, 0) range)
    text: str = "CAST(NULL AS VARCHAR)"   # a string
    bool: str = "CAST(NULL AS BOOLEAN)"   # a boolean
    date: str | None = None               # a DATE column's value (strings equal as dates)


def _of(cls: str, kinds: tuple[str, ...], expr: str) -> str:
    return f"(CASE WHEN {cls} IN ({', '.join(repr(k) for k in kinds)}) THEN {expr} END)"


def _int_of(r: str) -> str:
    """SQL: the DECIMAL(38, 0) value of a number spelling r that is whole: exactly for an integer spelling,
    through a double for one with a fraction or exponent (as JSON readers read 1.0e3)."""
    d = f"TRY_CAST({r} AS DOUBLE)"
    return (f"(CASE WHEN contains({r}, '.') OR contains(lower({r}), 'e') THEN "
            f"(CASE WHEN {d} % 1 = 0 AND abs({d}) < 1e38 THEN CAST({d} AS DECIMAL(38, 0)) END) "
            f"ELSE TRY_CAST({r} AS DECIMAL(38, 0)) END)")


def _json_view(j: str) -> _Value:
    """The views of a value held as JSON text j (a JSON column or JSON type evidence)."""
    jt = json_class(j)
    return _Value(num=_of(jt, ("INTEGER", "DOUBLE"), f"TRY_CAST({j} AS DOUBLE)"),
                  int=_of(jt, ("INTEGER", "DOUBLE"), _int_of(j)),
                  text=_of(jt, ("VARCHAR",), json_string(j)),
                  bool=_of(jt, ("BOOLEAN",), f"({j} = 'true')"))


def _text_view(col: Column, r: str) -> _Value:
    """The views of a text cell r as the contract reads it for this column."""
    cls = text_class(col.types, r, col.typed)
    return _Value(num=_of(cls, ("INTEGER", "DOUBLE"), f"TRY_CAST({r} AS DOUBLE)"),
                  int=_of(cls, ("INTEGER", "DOUBLE"), _int_of(r)),
                  text=f"(CASE WHEN {cls} IS NULL OR {cls} = 'VARCHAR' THEN {r} END)",
                  bool=_of(cls, ("BOOLEAN",), f"(lower({r}) = 'true')"))


def _bad_text_view(col: Column, bad: str) -> _Value:
    """The views of the raw text of a text cell that failed ``type``: a number its column cannot
    store exactly (out of range, too many decimals) is still a number; anything else is a string."""
    if not col.numeric:
        return _Value(text=bad)
    spelled = (spells_integer if col.sql_type == "BIGINT" else spells_number)(bad)
    return _Value(num=f"(CASE WHEN {spelled} THEN TRY_CAST({bad} AS DOUBLE) END)",
                  int=f"(CASE WHEN {spelled} THEN {_int_of(bad)} END)",
                  text=f"(CASE WHEN NOT {spelled} THEN {bad} END)")


def _typed_view(col: Column, v: str) -> _Value:
    t = col.sql_type
    if t == "BIGINT":
        return _Value(num=f"CAST({v} AS DOUBLE)", int=f"CAST({v} AS DECIMAL(38, 0))")
    if col.numeric:
        whole = f"(CASE WHEN {v} % 1 = 0 AND abs({v}) < 1e38 THEN CAST({v} AS DECIMAL(38, 0)) END)"
        return _Value(num=f"CAST({v} AS DOUBLE)", int=whole)
    if t == "BOOLEAN":
        return _Value(bool=v)
    if t == "VARCHAR":
        return _Value(text=v)
    if t == "DATE":
        return _Value(date=v)
    return _Value()


def _either(a: _Value, b: _Value) -> _Value:
    """The value is a's where a has one, else b's (the type evidence, NULL when the value converted)."""
    def pick(x: str, y: str) -> str:
        return x if y.startswith("CAST(NULL") else (y if x.startswith("CAST(NULL") else f"coalesce({x}, {y})")

    return _Value(num=pick(a.num, b.num), int=pick(a.int, b.int), text=pick(a.text, b.text),
                  bool=pick(a.bool, b.bool), date=a.date)


def _equals(val: _Value, x: Any) -> str:
    """SQL: the value equals the JSON value x by JSON equality (1 = 1.0; no type equals another)."""
    if isinstance(x, bool):
        return f"({val.bool} = {ql(x)})"
    if isinstance(x, (int, float)):
        if float(x).is_integer() and abs(x) < 2 ** 126:  # whole: exactly, never through a rounded double
            return f"({val.int} = CAST({ql(str(int(x)))} AS DECIMAL(38, 0)))"
        return f"({val.num} = {ql(float(x))})" if isinstance(x, float) else "FALSE"
    if isinstance(x, str):
        ors = [f"({val.text} = {ql(x)})"]
        if val.date is not None:  # a valid date has one spelling, so equal dates are equal strings
            ors.append(f"({val.date} = (CASE WHEN {valid_date(ql(x))} THEN CAST({ql(x)} AS DATE) END))")
        return "(" + " OR ".join(ors) + ")"
    return "FALSE"


def compile_structural(layout: TableLayout, alias: str = "t") -> list[StructuralCheck]:
    """Every structural check of a dataset, in column order then keyword order, planned against its table's
    layout (which evidence columns exist: see :mod:`checker.sql.layout`)."""
    schema = layout.schema
    checks: list[StructuralCheck] = [StructuralCheck(
        f"schema:{schema.name}:shape", schema.name, None, "shape", "high",
        f"{alias}.{SHAPE} IS NOT NULL", f"{alias}.{SHAPE}", "")]
    for name, col in schema.columns.items():
        src = layout.sources[name]
        i = src.index
        v = f"{alias}.{qi(name)}"
        missing = layout.missing_expr(name, alias)
        present = f"NOT ({missing})" if missing not in ("TRUE", "FALSE") else ("FALSE" if missing == "TRUE" else "TRUE")
        bad = f"{alias}.{qi(bad_column(i))}" if layout.has(name, "bad") else "CAST(NULL AS VARCHAR)"
        fmt = f"{alias}.{qi(fmt_column(i))}" if layout.has(name, "fmt") else None
        shown = f"CAST({v} AS VARCHAR)"
        # an unreadable JSON record (not an object) has no values to judge: only its shape is reported;
        # a ragged CSV record still has its fields, so they are still checked
        readable = f"{alias}.{SHAPE} IS NULL AND " if src.kind == "json" else ""

        # called within this iteration only; the defaults bind this column's values all the same
        def add(kw: str, cond: str, expected: str, evidence: str = shown, *,
                name: str = name, col: Column = col, readable: str = readable) -> None:
            checks.append(StructuralCheck(
                f"schema:{schema.name}.{name}:{kw}", schema.name, name, kw, SEVERITY.get(kw, "medium"),
                f"({readable}coalesce({cond}, FALSE))", evidence, expected, col.pii))

        val, judged = _views(col, src, v, bad, layout.has(name, "bad"), fmt)

        if col.required:
            add("required", missing, "", "NULL")
        if col.typed:
            expected = " | ".join(sorted(col.types | ({"null"} if col.nullable else set()))) or "any"
            null_bad = "FALSE" if col.nullable else (
                f"({v} IS NULL AND {present} AND {bad} IS NULL" + (f" AND {fmt} IS NULL)" if fmt else ")"))
            add("type", f"({bad} IS NOT NULL OR {null_bad})", expected,
                f"coalesce({bad}, CASE WHEN {v} IS NULL THEN NULL ELSE {shown} END)")
            if _store(col):
                checks[-1] = replace(checks[-1], store=_store(col))
        kw = col.keywords
        for key in ("enum", "const"):
            if key not in kw:
                continue
            values = kw[key] if key == "enum" else [kw[key]]
            is_null = f"({v} IS NULL AND {bad} IS NULL" + (f" AND {fmt} IS NULL)" if fmt else ")")
            match = " OR ".join(is_null if x is None else f"coalesce({_equals(val, x)}, FALSE)" for x in values)
            expected = ", ".join(_show(x) for x in values)
            add(key, f"({present} AND NOT ({match or 'FALSE'}))", expected if key == "enum" else _show(values[0]),
                judged)
        if "pattern" in kw:
            add("pattern", f"NOT regexp_matches({val.text}, {ql(re2_pattern(kw['pattern']))})", kw["pattern"], judged)
        for key, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">=")):
            if key in kw:
                add(key, _bound(val, op, kw[key]), _show(kw[key]), judged)
        for key, op in (("minLength", "<"), ("maxLength", ">")):
            if key in kw:
                add(key, f"(length({val.text}) {op} {int(kw[key])})", str(kw[key]), judged)
        if col.format:
            check = {"date": valid_date, "date-time": valid_datetime, "email": valid_email}[col.format]
            if fmt is not None:
                cond = f"({fmt} IS NOT NULL)"
            elif col.sql_type in ("DATE", "TIMESTAMP"):
                cond = "FALSE"   # a native date/date-time (or an absent column) has no text to be invalid
            else:
                cond = f"({val.text} IS NOT NULL AND NOT coalesce({check(val.text)}, FALSE))"
            add("format", cond, col.format, fmt if fmt is not None else judged)
    return checks


def _views(col: Column, src: ColumnSource, v: str, bad: str, has_bad: bool, fmt: str | None) -> tuple[_Value, str]:
    """(the views of a column's value, SQL of the text shown for it), type evidence included."""
    if src.raw is None:
        return _Value(), "CAST(NULL AS VARCHAR)"
    if col.is_any:
        own = _json_view(v) if src.kind == "json" else (
            _text_view(col, v) if src.kind == "text" or src.native_type == "VARCHAR" else _native_view(src, v))
    else:
        own = _typed_view(col, v)
        if fmt is not None:  # a string that is no valid date is still a string (enum/const judge it)
            own = _Value(date=own.date, text=fmt)
    shown = f"CAST({v} AS VARCHAR)"
    if not has_bad:
        return own, shown
    wrong = _json_view(bad) if src.kind == "json" else (
        _bad_text_view(col, bad) if src.kind == "text" or src.native_type == "VARCHAR" else _Value())
    if col.is_any:  # its evidence is the value itself (a JSON value of no admitted type, or its text)
        return own, f"coalesce({bad}, {shown})"
    return _either(own, wrong), f"coalesce({bad}, {shown})"


def _native_view(src: ColumnSource, v: str) -> _Value:
    """The views of a native (Parquet) value of an untyped or multi-type column, by its stored type."""
    cls = native_class(src.native_type or "")
    if cls == "BOOLEAN":
        return _Value(bool=v)
    if cls == "INTEGER":
        return _Value(num=f"CAST({v} AS DOUBLE)", int=f"TRY_CAST({v} AS DECIMAL(38, 0))")
    if cls == "DOUBLE":
        whole = f"(CASE WHEN {v} % 1 = 0 AND abs({v}) < 1e38 THEN CAST({v} AS DECIMAL(38, 0)) END)"
        return _Value(num=f"CAST({v} AS DOUBLE)", int=whole)
    return _Value(text=f"CAST({v} AS VARCHAR)")


def _storable_type(text: str, store: str) -> bool:
    """The text spells a number of the column's JSON type (a whole one for BIGINT)."""
    if not _NUMBER.fullmatch(text):
        return False
    return not store.startswith("BIGINT") or Decimal(text) == Decimal(text).to_integral_value()


def _store(col: Column) -> str:
    """What a numeric column stores, where a number of its type may not fit ('' where any does)."""
    if col.sql_type == "BIGINT":
        return "BIGINT: -9223372036854775808 .. 9223372036854775807"
    if col.sql_type.startswith("DECIMAL"):
        return col.sql_type
    if col.sql_type == "DOUBLE":
        return "DOUBLE: -1.8e308 .. 1.8e308"
    return ""


def _bound(val: _Value, op: str, bound: Any) -> str:
    """SQL: a numeric value lies beyond the bound (integers against integers exactly)."""
    if float(bound).is_integer() and abs(bound) < 2 ** 126:  # 1e20 is exactly 10**20, as Python compares
        exact = f"CAST({ql(str(int(bound)))} AS DECIMAL(38, 0))"
        return f"coalesce({val.int} {op} {exact}, {val.num} {op} {ql(float(bound))})"
    return f"({val.num} {op} {ql(float(bound))})"


def structural_ids(schema: DatasetSchema) -> list[str]:
    """The ids of the structural checks a dataset schema can have (what a waiver may name)."""
    ids = [f"schema:{schema.name}:shape"]
    for name, col in schema.columns.items():
        kws = (["required"] if col.required else []) + (["type"] if col.typed else []) + [
            k for k in _TEXT if k in col.keywords] + (["format"] if col.format else [])
        ids.extend(f"schema:{schema.name}.{name}:{k}" for k in kws)
    return ids


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
