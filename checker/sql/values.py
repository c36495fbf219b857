"""JSON Schema's values in SQL: what a text cell, a JSON value or a native (Parquet) value is, and its
typed value with the evidence of a value of the wrong type or format.

The loader converts with these (:func:`checker.engine.loading.typed_query`) and the structural
checks judge with them (:mod:`checker.compile.structural`), so both read a value the same way.
"""

from __future__ import annotations

from checker.model.dataset import Column
from checker.model.dialect import DEFAULT, Dialect
from checker.sql import spelling
from checker.sql.layout import ColumnSource
from checker.sql.text import qi, ql, timestamp_value, valid_date

# -- conversion --------------------------------------------------------------------------------------

def _whole(d: str) -> str:
    """SQL: the DOUBLE d is a whole number a BIGINT holds (no floor(): Spark's returns a BIGINT that overflows)."""
    return f"(abs({d}) < 9.2e18 AND {d} % 1 = 0)"


#: JSON's number grammar: what a text cell must spell to be read as a number (no ``+``, no leading
#: zeros, no ``_``, no surrounding space, no NaN or Infinity)
NUMBER_RE = "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"


def spells_number(r: str) -> str:
    """SQL: the text r spells a number in JSON's grammar."""
    return f"regexp_full_match({r}, {ql(NUMBER_RE)})"


def spells_integer(r: str) -> str:
    """SQL: the text r spells a number (JSON's grammar) whose value is whole (``12``, ``12.0``, ``1.2e1``),
    as JSON Schema counts integers."""
    return (f"({spells_number(r)} AND (NOT (contains({r}, '.') OR contains(lower({r}), 'e')) "
            f"OR TRY_CAST({r} AS DOUBLE) % 1 = 0))")


def spells_boolean(r: str) -> str:
    """SQL: the text r spells a boolean (``true``/``false`` in any letter case)."""
    return f"lower({r}) IN ('true', 'false')"


def _int_from_text(r: str) -> str:
    """SQL: the BIGINT a text cell spells ('12', '12.0', '1.2e1'), else NULL (also when it does not fit)."""
    as_double = f"TRY_CAST({r} AS DOUBLE)"
    return (f"(CASE WHEN NOT {spells_number(r)} THEN NULL "
            f"WHEN contains({r}, '.') OR contains(lower({r}), 'e') THEN "
            f"(CASE WHEN {_whole(as_double)} THEN CAST({as_double} AS BIGINT) END) ELSE TRY_CAST({r} AS BIGINT) END)")


def _finite(d: str) -> str:
    """SQL: the DOUBLE d unless it overflowed to an infinity (``1e400``): no double holds that number."""
    return f"(CASE WHEN abs({d}) <= 1.7976931348623157e308 THEN {d} END)"


def _decimal_exact(r: str, sql_type: str) -> str:
    """SQL: the DECIMAL a number spelling r stands for, NULL when it does not fit or would be rounded."""
    p, s = (int(x) for x in sql_type[len("DECIMAL("):-1].split(","))
    value = f"TRY_CAST({r} AS {sql_type})"
    wide = f"TRY_CAST({r} AS DECIMAL(38, {38 - (p - s)}))"
    return (f"(CASE WHEN {spells_number(r)} AND {value} = {wide} "
            f"AND CAST({value} AS DOUBLE) = TRY_CAST({r} AS DOUBLE) THEN {value} END)")


def text_class(types: frozenset[str], r: str, typed: bool = True) -> str:
    """SQL: the JSON type a text cell r is read as (the contract's "Reading text"): the first of
    'INTEGER', 'DOUBLE', 'BOOLEAN', 'VARCHAR' the column admits (an untyped one admits all) and r
    spells; NULL for an empty cell or text no admitted type spells."""
    admits = (lambda t: True) if not typed else (lambda t: t in types)
    parts = []
    if admits("integer") or admits("number"):
        kind = "'INTEGER'" if admits("integer") else "'DOUBLE'"
        parts.append(f"WHEN {spells_integer(r)} THEN {kind}")
    if admits("number"):
        parts.append(f"WHEN {spells_number(r)} THEN 'DOUBLE'")
    if admits("boolean"):
        parts.append(f"WHEN {spells_boolean(r)} THEN 'BOOLEAN'")
    if admits("string"):
        parts.append("ELSE 'VARCHAR'")
    return f"(CASE WHEN {r} IS NULL THEN NULL {' '.join(parts)} END)"


def json_class(raw: str) -> str:
    """SQL: the JSON type of the JSON text ``raw`` (a value as the loader extracts it), from its first
    characters, without parsing it: 'NULL', 'BOOLEAN', 'VARCHAR', 'OBJECT', 'ARRAY', 'INTEGER' (a
    number without fraction or exponent, of any size, as JSON Schema counts integers), 'DOUBLE', or
    'OTHER' (what Python's and DuckDB's JSON readers also take: NaN, -Infinity), of no JSON Schema type.

    Extracted values are written by the engine's JSON writer, so they have no surrounding space and
    one spelling per type.  (Parsing each value again for ``json_type`` was half of the load time of
    a JSON Lines export.)
    """
    first = f"left({raw}, 1)"
    return (f"(CASE WHEN {raw} IS NULL THEN NULL WHEN {raw} = 'null' THEN 'NULL' "
            f"WHEN {raw} = 'true' OR {raw} = 'false' THEN 'BOOLEAN' WHEN {first} = '\"' THEN 'VARCHAR' "
            f"WHEN {first} = '{{' THEN 'OBJECT' WHEN {first} = '[' THEN 'ARRAY' "
            f"WHEN NOT ({first} BETWEEN '0' AND '9' OR ({first} = '-' AND substr({raw}, 2, 1) BETWEEN '0' AND '9')) "
            f"THEN 'OTHER' "
            f"WHEN contains({raw}, '.') OR contains(lower({raw}), 'e') THEN 'DOUBLE' ELSE 'INTEGER' END)")


def json_string(raw: str) -> str:
    """SQL: the text of the JSON string ``raw`` (quoted): its inside, unescaped only if it has an escape."""
    return (f"(CASE WHEN contains({raw}, '\\') THEN CAST({raw} AS JSON) ->> '$' "
            f"ELSE substr({raw}, 2, length({raw}) - 2) END)")


def _json_is(types: frozenset[str], raw: str, jt: str) -> str:
    """SQL: the JSON value ``raw`` (its class ``jt``) is of one of the JSON Schema types."""
    parts = []
    if "integer" in types and "number" not in types:
        parts.append(f"{jt} = 'INTEGER'")        # the value stays JSON: any size, as JSON Schema counts
        parts.append(f"({jt} = 'DOUBLE' AND TRY_CAST({raw} AS DOUBLE) % 1 = 0)")
    if "number" in types:
        parts.append(f"{jt} IN ('INTEGER', 'DOUBLE')")
    if "string" in types:
        parts.append(f"{jt} = 'VARCHAR'")
    if "boolean" in types:
        parts.append(f"{jt} = 'BOOLEAN'")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"  # "type": "null": no other value


def _text_value(col: Column, r: str, v: str, d: Dialect = DEFAULT, p: str | None = None,
                n: str | None = None) -> tuple[str, str | None, str | None]:
    """(value, type-evidence, format-evidence) SQL for a text cell r; evidence may read the value as v.

    ``p`` is the cell as the dialect prepares it (normalised, trimmed, a null spelling as NULL) and
    ``n`` its number text (:func:`checker.sql.spelling.number_text`), each computed once by the level
    below (:func:`reading_steps`); the evidence cites the raw text r.
    Evidence is computed from the converted value in an outer query rather than by repeating the
    conversion: DuckDB would otherwise hoist the shared (and, for date-times, costly) validity test
    out of its CASE and run it for every row.
    """
    p = p or r
    t = col.sql_type
    if t == "VARCHAR":
        return p, None, None
    if t == "ANY":
        if not col.typed:
            return p, None, None
        return p, f"CASE WHEN {p} IS NOT NULL AND {text_class(col.types, p)} IS NULL THEN {r} END", None
    if t == "DATE":
        value = (f"CASE WHEN {valid_date(p)} THEN CAST({p} AS DATE) END" if d.formats is None
                 else spelling.date_value(p, d))
        return value, None, f"CASE WHEN {p} IS NOT NULL AND {v} IS NULL THEN {r} END"
    if t == "TIMESTAMP":
        value = (timestamp_value(p) if d.formats is None and d.zone == "UTC" else spelling.timestamp_value(p, d))
        return value, None, f"CASE WHEN {p} IS NOT NULL AND {v} IS NULL THEN {r} END"
    n = n or p
    if t == "BIGINT":
        value = _int_from_text(n)
    elif t == "BOOLEAN":
        value = spelling.boolean_value(p, d)
    elif t.startswith("DECIMAL"):
        value = _decimal_exact(n, t)
    else:
        value = f"(CASE WHEN {spells_number(n)} THEN {_finite(f'TRY_CAST({n} AS DOUBLE)')} END)"
    return value, f"CASE WHEN {p} IS NOT NULL AND {v} IS NULL THEN {r} END", None


def _json_value(col: Column, raw: str, v: str, d: Dialect = DEFAULT,
                p: str | None = None) -> tuple[str, str | None, str | None]:
    """As :func:`_text_value` for a value held as JSON text; ``p`` is its string as the dialect prepares it."""
    jt = json_class(raw)
    s = p or json_string(raw)
    t = col.sql_type
    wrong = f"CASE WHEN {jt} <> 'NULL' AND {v} IS NULL THEN {raw} END"
    if t == "ANY":
        value = f"CASE WHEN {jt} NOT IN ('NULL', 'OTHER') THEN CAST({raw} AS JSON) END"
        if not col.typed:
            return value, None, None
        return value, f"CASE WHEN {jt} <> 'NULL' AND NOT {_json_is(col.types, raw, jt)} THEN {raw} END", None
    if t == "VARCHAR":
        return f"CASE WHEN {jt} = 'VARCHAR' THEN {s} END", wrong, None
    if t == "BOOLEAN":
        return f"CASE WHEN {jt} = 'BOOLEAN' THEN {raw} = 'true' END", wrong, None
    num = f"TRY_CAST({raw} AS DOUBLE)"
    if t == "BIGINT":
        value = (f"CASE WHEN {jt} = 'INTEGER' THEN TRY_CAST({raw} AS BIGINT) "
                 f"WHEN {jt} = 'DOUBLE' AND {_whole(num)} THEN TRY_CAST({num} AS BIGINT) END")
        return value, wrong, None
    if t in ("DATE", "TIMESTAMP"):
        if d.formats is None and d.zone == "UTC":
            conv = (f"CASE WHEN {valid_date(s)} THEN CAST({s} AS DATE) END" if t == "DATE" else timestamp_value(s))
        else:
            conv = spelling.date_value(s, d) if t == "DATE" else spelling.timestamp_value(s, d)
        return (f"CASE WHEN {jt} = 'VARCHAR' THEN {conv} END",
                f"CASE WHEN {jt} NOT IN ('VARCHAR', 'NULL') THEN {raw} END",
                f"CASE WHEN {jt} = 'VARCHAR' AND {v} IS NULL THEN {json_string(raw) if p else s} END")
    if t.startswith("DECIMAL"):  # from the JSON text, never through a double: exact or a violation
        return f"(CASE WHEN {jt} IN ('INTEGER', 'DOUBLE') THEN {_decimal_exact(raw, t)} END)", wrong, None
    return f"(CASE WHEN {jt} IN ('INTEGER', 'DOUBLE') THEN {_finite(num)} END)", wrong, None


_INT_NATIVES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                "UBIGINT", "UHUGEINT")


def native_class(native: str) -> str:
    """The JSON type of a native (Parquet) column type: 'INTEGER', 'DOUBLE', 'BOOLEAN' or 'VARCHAR'."""
    native = native.upper()
    if native in _INT_NATIVES:
        return "INTEGER"
    if native in ("FLOAT", "DOUBLE", "REAL") or native.startswith("DECIMAL"):
        return "DOUBLE"
    return "BOOLEAN" if native == "BOOLEAN" else "VARCHAR"


def _native_exact(col: Column, raw: str, native: str) -> str:
    """SQL: a native value in the column's type, NULL where it would be rounded or reinterpreted
    (a fraction into BIGINT, a boolean into a number, a number into a boolean or a string, a time into a
    DATE)."""
    t, cls = col.sql_type, native_class(native)
    value = f"TRY_CAST({raw} AS {t})"
    if col.numeric:
        if cls == "INTEGER" or (cls == "DOUBLE" and t == "DOUBLE"):
            return value
        if cls != "DOUBLE":
            return f"CAST(NULL AS {t})"
        return f"(CASE WHEN CAST({value} AS {native}) = {raw} THEN {value} END)"
    if t == "BOOLEAN":
        return value if cls == "BOOLEAN" else f"CAST(NULL AS {t})"
    if t == "VARCHAR" and cls in ("INTEGER", "DOUBLE", "BOOLEAN"):   # 1 is no string: a type violation
        return f"CAST(NULL AS {t})"
    if t == "DATE" and native.upper().startswith("TIMESTAMP"):
        return f"(CASE WHEN CAST({value} AS {native}) = {raw} THEN {value} END)"
    return value


def _native_value(col: Column, raw: str, native: str, v: str, d: Dialect = DEFAULT, p: str | None = None,
                  n: str | None = None) -> tuple[str, str | None, str | None]:
    if native == "VARCHAR":
        return _text_value(col, raw, v, d, p, n)
    if col.sql_type == "TIMESTAMP" and native.upper().startswith("TIMESTAMP WITH TIME ZONE") and d.zone != "UTC":
        value = spelling.local(f"CAST({raw} AS TIMESTAMP)", d.zone)
        return value, f"CASE WHEN {raw} IS NOT NULL AND {v} IS NULL THEN CAST({raw} AS VARCHAR) END", None
    if col.sql_type == "ANY":
        if not col.typed:
            return raw, None, None
        cls = native_class(native)
        if (cls == "INTEGER" and col.types & {"integer", "number"}) or (cls == "DOUBLE" and "number" in col.types) \
                or (cls == "BOOLEAN" and "boolean" in col.types) or (cls == "VARCHAR" and "string" in col.types):
            test = "TRUE"
        else:  # a whole floating-point number is an integer, as JSON Schema counts
            test = f"{raw} % 1 = 0" if cls == "DOUBLE" and "integer" in col.types else "FALSE"
        return raw, f"CASE WHEN {raw} IS NOT NULL AND NOT ({test}) THEN CAST({raw} AS VARCHAR) END", None
    value = _native_exact(col, raw, native)
    return value, f"CASE WHEN {raw} IS NOT NULL AND {v} IS NULL THEN CAST({raw} AS VARCHAR) END", None


def _steps(src: ColumnSource) -> tuple[bool, bool]:
    """Whether the dialect gives column ``src`` a prepared text (``__p_<i>``) and a number text (``__n_<i>``)."""
    d = src.dialect
    kind = "text" if src.kind == "text" or (src.kind == "native" and src.native_type == "VARCHAR") else src.kind
    if kind == "json":
        return bool(d.normalize or d.trim) and src.column.sql_type in ("VARCHAR", "DATE", "TIMESTAMP"), False
    if kind == "native":
        return False, False
    return d.prepares, src.column.numeric and d.reads_numbers


def reading_steps(src: ColumnSource, raw: str) -> list[tuple[str, str]]:
    """The values the dialect computes before the conversion, each on a level of its own (so that
    each is computed once per record): ``(name, SQL)``, the prepared text ``__p_<i>`` and the number
    text ``__n_<i>``.  None for a column read as the contract's "Reading text" reads it."""
    d, i = src.dialect, src.index
    prepares, numbers = _steps(src)
    steps: list[tuple[str, str]] = []
    if prepares:
        text = json_string(raw) if src.kind == "json" else raw
        steps.append((prepared_column(i), spelling.prepared(text, d, "json" if src.kind == "json" else "text")))
    if numbers:
        steps.append((number_column(i), spelling.number_text(qi(prepared_column(i)) if prepares else raw, d)))
    return steps


def prepared_column(index: int) -> str:
    return f"__p_{index}"


def number_column(index: int) -> str:
    return f"__n_{index}"


def conversion(src: ColumnSource, raw: str, v: str) -> tuple[str, str | None, str | None]:
    """(value, type-evidence, format-evidence) SQL of one column read as ``raw``, its value named ``v``;
    the values of :func:`reading_steps` are read by their names."""
    prepares, numbers = _steps(src)
    p = qi(prepared_column(src.index)) if prepares else None
    n = qi(number_column(src.index)) if numbers else None
    d = src.dialect
    if src.kind == "text":
        return _text_value(src.column, raw, v, d, p, n)
    if src.kind == "json":
        return _json_value(src.column, raw, v, d, p)
    return _native_value(src.column, raw, src.native_type or "VARCHAR", v, d, p, n)
