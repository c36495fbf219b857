"""Load dataset schemas from ``<dir>/<domain>/<name>.schema.json``."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Any

import duckdb
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from checker import codes
from checker.i18n import Msg, _
from checker.load.dialects import check_dialect
from checker.load.yamlio import Document, load_text
from checker.model.dataset import (
    ANNOTATIONS,
    CHECKED_FORMATS,
    CHECKED_KEYWORDS,
    JSON_TYPES,
    Column,
    DatasetSchema,
    sql_type_for,
)
from checker.model.dialect import DEFAULT, Dialect
from checker.problems import CheckerError, Problem, did_you_mean
from checker.resources import shown
from checker.sql.regex import PatternError, re2_pattern

TOP_LEVEL = frozenset({"$schema", "$id", "$comment", "title", "description", "type", "properties", "required",
                       "additionalProperties", "x-key", "x-record-date", "x-title", "x-dialect", "examples"})
DOMAINS = ("crm", "budget", "appraisal", "marketing")
#: names of the engine's own columns in loaded tables and queries
RESERVED = re.compile(r"^__(row|shape|bad_\d+|fmt_\d+|miss_\d+|v_\d+|g\d+|n|ok|w\d*|first|k|ks|fp|kt|want)$")
#: Meta-schema format checks; "regex" is left out: Python's ``re`` is not ECMA-262 (it refuses
#: ``\p{Letter}``), so patterns are checked by translating them for the engine's RE2 instead.
_META_FORMATS = FormatChecker([f for f in FormatChecker().checkers if f != "regex"])
#: Keywords that judge the text of a string, which DATE/TIMESTAMP columns do not keep.
_TEXT_KEYWORDS = ("pattern", "minLength", "maxLength")
_re2: duckdb.DuckDBPyConnection | None = None


@functools.lru_cache(maxsize=1024)
def pattern_problem(pattern: str) -> Msg | str | None:
    """Why an ECMA-262 pattern cannot be checked by the engine (a message in no language yet, or the
    engine's own words), or None if it can."""
    global _re2
    try:
        translated = re2_pattern(pattern)
    except PatternError as exc:
        return exc.message
    if _re2 is None:
        _re2 = duckdb.connect(":memory:")
    try:
        _re2.cursor().execute("SELECT regexp_matches('', ?)", [translated]).fetchall()
    except duckdb.Error as exc:
        return str(exc).strip().splitlines()[0].removeprefix("Invalid Input Error: ")
    return None


def discover(root: Path) -> dict[str, Path]:
    """Dataset name -> schema file, for every ``<domain>/<name>.schema.json`` under root."""
    found: dict[str, Path] = {}
    for path in sorted(root.glob("*/*.schema.json")):
        domain = path.parent.name
        name = path.name[: -len(".schema.json")]
        found[f"{domain}.{name}"] = path
    return found


def load_schemas(root: Path) -> tuple[dict[str, DatasetSchema], list[Problem]]:
    """Load every dataset schema under root; problems are returned, not raised."""
    schemas: dict[str, DatasetSchema] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        raise CheckerError([Problem(_span(str(root)), codes.S301, _("schemas folder does not exist"),
                                    hint=_("pass --schemas DIR holding <domain>/<name>.schema.json files"))])
    for name, path in discover(root).items():
        try:
            schemas[name] = load_schema(name, path)
        except CheckerError as err:
            problems.extend(err.problems)
    return schemas, problems


def _span(file: str):
    from checker.problems import Span
    return Span(file)


def load_schema(name: str, path: Path) -> DatasetSchema:
    raw = path.read_bytes()
    display = shown(path)          # a bundled schema by its package name, never its installation path
    doc = load_text(raw.decode("utf-8-sig", errors="replace"), display)
    problems = _join_surrogates(doc, doc.data, ())
    problems = problems or _check(name, doc)
    if problems:
        raise CheckerError(problems)
    data = doc.data
    pos = doc.positions
    required = set(data.get("required", []))
    schema_dialect = check_dialect(data["x-dialect"], ("x-dialect",), pos)[0] if "x-dialect" in data else None
    columns: dict[str, Column] = {}
    for col, prop in data.get("properties", {}).items():
        own = (check_dialect(prop["x-dialect"], ("properties", col, "x-dialect"), pos)[0]
               if "x-dialect" in prop else None)
        dialect = (own.over(schema_dialect) if own else schema_dialect) or DEFAULT
        columns[col] = _column(col, prop, col in required, pos.key(("properties", col)), dialect)
    return DatasetSchema(
        name=name, path=display, columns=columns,
        key=tuple(data.get("x-key", [])),
        record_date=data.get("x-record-date"),
        title=dict(data.get("x-title", {})) if isinstance(data.get("x-title"), dict) else {},
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _join_surrogates(doc: Document, node: Any, path: tuple) -> list[Problem]:
    """Join the UTF-16 surrogate pairs a JSON ``\\ud83d\\ude00`` escape leaves in the parsed strings
    (in place: the values are then the characters JSON means); a lone surrogate is an S301 problem."""
    out: list[Problem] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
            try:
                node[key] = value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                out.append(Problem(doc.positions.value(path + (key,)), codes.S301,
                                   _("a string holds a lone UTF-16 surrogate (\\uD800-\\uDFFF): not a character")))
        else:
            out.extend(_join_surrogates(doc, value, path + (key,)))
    return out


def _types(prop: dict[str, Any]) -> tuple[frozenset[str], bool]:
    declared = prop.get("type")
    if declared is None:
        return frozenset(), True
    listed = [declared] if isinstance(declared, str) else list(declared)
    nullable = "null" in listed
    return frozenset(t for t in listed if t != "null"), nullable


def _column(name: str, prop: dict[str, Any], required: bool, span, dialect: Dialect = DEFAULT) -> Column:
    types, nullable = _types(prop)
    fmt = prop.get("format")
    decimal = tuple(prop["x-decimal"]) if "x-decimal" in prop else None
    keywords = {k: prop[k] for k in CHECKED_KEYWORDS if k in prop and k not in ("type", "format", "required")}
    return Column(name=name, types=types, nullable=nullable, sql_type=sql_type_for(types, fmt, decimal),
                  format=fmt, keywords=keywords, required=required, pii=bool(prop.get("x-pii", False)),
                  aliases=tuple(prop.get("x-aliases", [])), span=span, typed="type" in prop,
                  dialect=dialect)


def _check(name: str, doc: Document) -> list[Problem]:
    data, pos = doc.data, doc.positions
    out: list[Problem] = []

    def err(path, code, msg, hint=None, key=False):
        out.append(Problem(pos.key(path) if key else pos.value(path), code, msg, hint=hint))

    if not isinstance(data, dict):
        err((), codes.S301, _("a dataset schema must be a JSON object"))
        return out
    try:
        Draft202012Validator.check_schema(data, format_checker=_META_FORMATS)
    except SchemaError as exc:
        err(tuple(exc.path), codes.S301, _("not a valid JSON Schema (draft 2020-12): {reason}", reason=exc.message))
        return out
    for key in data:
        if key not in TOP_LEVEL:
            err((key,), codes.S302, _("unsupported top-level keyword '{key}'", key=key),
                hint=did_you_mean(key, TOP_LEVEL) or _("supported: {names}", names=", ".join(sorted(TOP_LEVEL))),
                key=True)
    if "x-dialect" in data:
        out.extend(check_dialect(data["x-dialect"], ("x-dialect",), pos)[1])
    if data.get("type") != "object":
        err(("type",), codes.S301, _("a dataset schema must have \"type\": \"object\""))
    props = data.get("properties")
    if not isinstance(props, dict) or not props:
        err(("properties",), codes.S301, _("a dataset schema needs 'properties' (its columns)"))
        return out
    for col, prop in props.items():
        base = ("properties", col)
        if RESERVED.match(col):
            err(base, codes.S303, _("column name '{column}' is reserved for the engine's own columns", column=col),
                hint=_("rename the column and keep the export's header in x-aliases"), key=True)
        if not isinstance(prop, dict):
            err(base, codes.S301, _("property '{column}' must be an object", column=col))
            continue
        for kw in prop:
            if kw not in CHECKED_KEYWORDS and kw not in ANNOTATIONS:
                err(base + (kw,), codes.S302,
                    _("keyword '{keyword}' of column '{column}' is not supported in dataset schemas",
                      keyword=kw, column=col),
                    hint=did_you_mean(kw, CHECKED_KEYWORDS + tuple(ANNOTATIONS))
                    or _("flat columns support: {names}", names=", ".join(CHECKED_KEYWORDS)), key=True)
        types, _nullable = _types(prop)
        bad = [t for t in types if t not in JSON_TYPES]
        if bad:
            err(base + ("type",), codes.S302,
                _("column '{column}' has type {type}: columns hold scalar values", column=col, type=repr(bad[0])),
                hint=_("use one of {names}", names=", ".join(JSON_TYPES)))
        fmt = prop.get("format")
        if fmt is not None and fmt not in CHECKED_FORMATS:
            err(base + ("format",), codes.S302, _("format '{format}' is not checked", format=fmt),
                hint=did_you_mean(fmt, CHECKED_FORMATS)
                or _("checked formats: {names}", names=", ".join(CHECKED_FORMATS)))
        for key in ("enum", "const"):
            values = prop.get(key, []) if key == "enum" else [prop.get(key)]
            if any(isinstance(x, (dict, list)) for x in values):
                err(base + (key,), codes.S302,
                    _("{key} of column '{column}': {key} values must be scalars in a flat record model",
                      key=key, column=col),
                    hint=_("columns hold scalar values; list strings, numbers, booleans or null"))
        if isinstance(prop.get("pattern"), str):
            why = pattern_problem(prop["pattern"])
            if why:
                err(base + ("pattern",), codes.S302,
                    _("pattern of column '{column}' cannot be checked: {reason}", column=col, reason=why),
                    hint=_("use ECMA-262 syntax the engine's RE2 can run (no lookaround or backreferences)"))
        sql_type = sql_type_for(types, fmt if fmt in CHECKED_FORMATS else None, None)
        if sql_type in ("DATE", "TIMESTAMP"):
            for key in _TEXT_KEYWORDS + (("enum", "const") if sql_type == "TIMESTAMP" else ()):
                if key in prop:
                    what = (_("compares instants, not the strings JSON Schema compares") if key in ("enum", "const")
                            else _("would judge text that is not kept"))
                    err(base + (key,), codes.S302, _("'{key}' is not supported on column '{column}' (format {format}): "
                          "its values are stored as {sql_type}, so the check {what}",
                          key=key, column=col, format=fmt, sql_type=sql_type, what=what), key=True,
                        hint=_("drop the format to check the text as a string, or express '{key}' as a rule", key=key))
        if "x-decimal" in prop:
            dec = prop["x-decimal"]
            if not (isinstance(dec, list) and len(dec) == 2 and all(isinstance(x, int) for x in dec)
                    and 1 <= dec[0] <= 38 and 0 <= dec[1] <= dec[0]):
                err(base + ("x-decimal",), codes.S303,
                    _("x-decimal must be [precision, scale], 1 <= scale <= precision <= 38"))
        if "x-aliases" in prop and not (isinstance(prop["x-aliases"], list)
                                        and all(isinstance(a, str) for a in prop["x-aliases"])):
            err(base + ("x-aliases",), codes.S303, _("x-aliases must be a list of header names"))
        if "x-dialect" in prop:
            out.extend(check_dialect(prop["x-dialect"], base + ("x-dialect",), pos)[1])
        if "x-pii" in prop and not isinstance(prop["x-pii"], bool):
            err(base + ("x-pii",), codes.S303, _("x-pii must be true or false"))
    for i, col in enumerate(data.get("required", []) or []):
        if col not in props:
            err(("required", i), codes.S303, _("required column '{column}' is not a property", column=col),
                hint=did_you_mean(col, props))
    for i, col in enumerate(data.get("x-key", []) or []):
        if col not in props:
            err(("x-key", i), codes.S303, _("key column '{column}' is not a property", column=col),
                hint=did_you_mean(col, props))
    if "x-key" in data and not isinstance(data["x-key"], list):
        err(("x-key",), codes.S303, _("x-key must be a list of column names"))
    rd = data.get("x-record-date")
    if rd is not None:
        if rd not in props:
            err(("x-record-date",), codes.S303, _("record-date column '{column}' is not a property", column=str(rd)),
                hint=did_you_mean(str(rd), props))
        elif props[rd].get("format") not in ("date", "date-time"):
            err(("x-record-date",), codes.S303, _("record-date column '{column}' must have format date or date-time",
                                                      column=str(rd)))
    return out
