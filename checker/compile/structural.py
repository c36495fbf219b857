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

from dataclasses import dataclass
from typing import Any

from checker.compile.sqlfrag import qi, ql, re2_pattern, valid_date, valid_datetime, valid_email
from checker.engine.loading import Loaded
from checker.model.dataset import Column

SEVERITY = {"required": "high", "type": "high", "shape": "high"}

_TEXT = {
    "required": ("缺少必填欄位 {col}", "required column {col} is missing"),
    "type": ("欄位 {col} 的值 {value} 不是 {expected} 類型", "{col}: value {value} is not of type {expected}"),
    "null": ("欄位 {col} 不可為空", "{col} must not be empty"),
    "enum": ("欄位 {col} 的值 {value} 不在允許值 {expected} 之中", "{col}: value {value} is not one of {expected}"),
    "const": ("欄位 {col} 的值 {value} 應為 {expected}", "{col}: value {value} must be {expected}"),
    "pattern": ("欄位 {col} 的值 {value} 不符合格式 {expected}", "{col}: value {value} does not match {expected}"),
    "minimum": ("欄位 {col} 的值 {value} 小於下限 {expected}", "{col}: value {value} is below the minimum {expected}"),
    "maximum": ("欄位 {col} 的值 {value} 大於上限 {expected}", "{col}: value {value} is above the maximum {expected}"),
    "exclusiveMinimum": ("欄位 {col} 的值 {value} 須大於 {expected}", "{col}: value {value} must be greater than {expected}"),
    "exclusiveMaximum": ("欄位 {col} 的值 {value} 須小於 {expected}", "{col}: value {value} must be less than {expected}"),
    "minLength": ("欄位 {col} 的值 {value} 短於 {expected} 個字元", "{col}: value {value} is shorter than {expected} characters"),
    "maxLength": ("欄位 {col} 的值 {value} 長於 {expected} 個字元", "{col}: value {value} is longer than {expected} characters"),
    "format": ("欄位 {col} 的值 {value} 不是有效的 {expected}", "{col}: value {value} is not a valid {expected}"),
    "shape": ("記錄格式錯誤：{value}", "malformed record: {value}"),
}


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

    def message(self, lang: str, value: str, null: bool = False) -> str:
        key = "null" if (self.keyword == "type" and null) else self.keyword
        zh, en = _TEXT[key]
        return (zh if lang == "zh" else en).format(col=self.column, value=value, expected=self.expected)


def _lit_for(col: Column, value: Any) -> str | None:
    """A literal comparable with the typed column, or None if the value can never equal it."""
    t = col.sql_type
    if isinstance(value, bool):
        return ql(value) if t == "BOOLEAN" else None
    if isinstance(value, (int, float)):
        return ql(value) if col.numeric else None
    if isinstance(value, str):
        if t == "VARCHAR":
            return ql(value)
        if t == "DATE":  # a valid date has one spelling, so equal dates are equal strings
            return f"(CASE WHEN {valid_date(ql(value))} THEN CAST({ql(value)} AS DATE) END)"
        return None  # TIMESTAMP: the loader refuses enum/const (equal instants are not equal strings)
    return None


def _json_equals(j: str, value: Any) -> str:
    """SQL: the JSON value j equals value (numbers by value, 1 = 1.0; other types never equal)."""
    jt = f"json_type({j})"
    if value is None:
        return f"({j} IS NULL)"
    if isinstance(value, bool):
        return f"({jt} = 'BOOLEAN' AND TRY_CAST({j} AS BOOLEAN) = {ql(value)})"
    if isinstance(value, (int, float)):
        parts = []
        if isinstance(value, int) or value.is_integer():  # integers compare exactly, not as doubles
            parts.append(f"({jt} IN ('BIGINT', 'UBIGINT') AND TRY_CAST({j} AS HUGEINT) = {ql(int(value))})")
        if float(value) == value:                         # no double equals an unrepresentable integer
            parts.append(f"({jt} = 'DOUBLE' AND TRY_CAST({j} AS DOUBLE) = {ql(float(value))})")
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE"
    if isinstance(value, str):
        return f"({jt} = 'VARCHAR' AND ({j} ->> '$') = {ql(value)})"
    return "FALSE"


def compile_structural(loaded: Loaded, alias: str = "t") -> list[StructuralCheck]:
    """Every structural check of a loaded dataset, in column order then keyword order."""
    schema = loaded.schema
    checks: list[StructuralCheck] = [StructuralCheck(
        f"schema:{schema.name}:shape", schema.name, None, "shape", "high",
        f"{alias}.__shape IS NOT NULL", f"{alias}.__shape", "")]
    for name, col in schema.columns.items():
        src = loaded.sources[name]
        i = src.index
        v = f"{alias}.{qi(name)}"
        missing = loaded.missing_expr(name, alias)
        present = f"NOT ({missing})" if missing not in ("TRUE", "FALSE") else ("FALSE" if missing == "TRUE" else "TRUE")
        bad = f"{alias}.{qi(f'__bad_{i}')}" if loaded.has(name, "bad") else "CAST(NULL AS VARCHAR)"
        fmt = f"{alias}.{qi(f'__fmt_{i}')}" if loaded.has(name, "fmt") else None
        json_any = col.is_any and src.kind == "json" and src.raw is not None
        shown = f"CAST({v} AS VARCHAR)"
        # an unreadable JSON record (not an object) has no values to judge: only its shape is reported;
        # a ragged CSV record still has its fields, so they are still checked
        readable = f"{alias}.__shape IS NULL AND " if src.kind == "json" else ""
        add = lambda kw, cond, expected, evidence=shown: checks.append(StructuralCheck(  # noqa: E731
            f"schema:{schema.name}.{name}:{kw}", schema.name, name, kw, SEVERITY.get(kw, "medium"),
            f"({readable}coalesce({cond}, FALSE))", evidence, expected, col.pii))

        if col.required:
            add("required", missing, "", "NULL")
        if col.typed:
            expected = " | ".join(sorted(col.types | ({"null"} if col.nullable else set()))) or "any"
            null_bad = "FALSE" if col.nullable else (
                f"({v} IS NULL AND {present} AND {bad} IS NULL" + (f" AND {fmt} IS NULL)" if fmt else ")"))
            add("type", f"({bad} IS NOT NULL OR {null_bad})", expected,
                f"coalesce({bad}, CASE WHEN {v} IS NULL THEN NULL ELSE {shown} END)")
        # value tests that only apply to values of a type
        if json_any:
            jt = f"json_type({v})"
            is_num = f"{jt} IN ('BIGINT', 'UBIGINT', 'DOUBLE')"
            is_str = f"{jt} = 'VARCHAR'"
            num = f"TRY_CAST({v} AS DOUBLE)"  # DuckDB does not short-circuit AND: never CAST a string
            text = f"({v} ->> '$')"
        else:
            is_num = f"{v} IS NOT NULL" if col.numeric else "FALSE"
            is_str = f"{v} IS NOT NULL" if col.sql_type in ("VARCHAR", "ANY") else "FALSE"
            num, text = v, v
        kw = col.keywords
        for key in ("enum", "const"):
            if key not in kw:
                continue
            values = kw[key] if key == "enum" else [kw[key]]
            if json_any:
                match = " OR ".join(_json_equals(v, x) for x in values) or "FALSE"
                cond = f"({present} AND NOT ({match}))"
            else:
                lits = [lit for lit in (_lit_for(col, x) for x in values) if lit is not None]
                null_ok = any(x is None for x in values)
                in_list = f"{v} IN ({', '.join(lits)})" if lits else "FALSE"
                null_match = f"({v} IS NULL AND {bad} IS NULL" + (f" AND {fmt} IS NULL)" if fmt else ")")
                cond = (f"({present} AND NOT (coalesce({in_list}, FALSE)"
                        f"{' OR ' + null_match if null_ok else ''}))")
            expected = ", ".join(_show(x) for x in values)
            add(key, cond, expected if key == "enum" else _show(values[0]),
                f"coalesce({bad}, {shown})" if not json_any else shown)
        if "pattern" in kw:
            add("pattern", f"({is_str} AND NOT regexp_matches({text}, {ql(re2_pattern(kw['pattern']))}))", kw["pattern"])
        for key, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">=")):
            if key in kw:
                add(key, f"({is_num} AND {num} {op} {ql(kw[key])})", _show(kw[key]))
        for key, op in (("minLength", "<"), ("maxLength", ">")):
            if key in kw:
                add(key, f"({is_str} AND length({text}) {op} {int(kw[key])})", str(kw[key]))
        if col.format:
            if fmt is not None:
                add("format", f"({fmt} IS NOT NULL)", col.format, fmt)
            elif json_any or col.sql_type in ("VARCHAR", "ANY"):
                check = {"date": valid_date, "date-time": valid_datetime, "email": valid_email}[col.format]
                add("format", f"({is_str} AND NOT coalesce({check(text)}, FALSE))", col.format)
    return checks


def structural_ids(schema) -> list[str]:
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
