"""DuckDB-dialect SQL -> Spark SQL, with the semantic differences fixed in the sqlglot tree.

The checker writes every query in DuckDB's dialect (rule expressions are parsed and
checked in it).  For Spark the query is parsed back into a sqlglot tree, rewritten
node by node where the two engines *mean* different things by the same words, and
only then rendered as Spark SQL.  Nothing is patched in strings: :data:`REWRITES` maps each
sqlglot expression type to the small function that rewrites it (a subclass, such as TRY_CAST,
takes its base class's), applied children first.

Differences fixed here.  ``tests/test_spark.py`` runs them on both engines and compares the values
(``test_same_value_on_both_engines``, the golden ``check`` cases and the bundled rules on sample
data, with Spark); ``tests/test_spark_sql.py`` pins, without Spark, the Spark SQL of ~290 statements
the checker writes, one or more for each rewrite:

* ``date_diff(unit, a, b)`` counts unit *boundaries* in DuckDB and whole units in Spark:
  it becomes ``timestampdiff(unit, date_trunc(unit, a), date_trunc(unit, b))`` (weeks:
  DuckDB counts day boundaries and divides by 7, so the rewrite does too).
* ``a / b`` is IEEE division in DuckDB (x/0 is ±inf or NaN); Spark's ANSI mode raises:
  division by zero is answered explicitly, everything else divides as DOUBLE.
* Regular expressions are RE2 in DuckDB and java.util.regex in Spark: patterns are
  translated (``.``, ``$``, ``\\s``, named groups, POSIX classes), ``regexp_full_match``
  anchors with ``\\z``, ``regexp_extract`` defaults to group 0, options become flags.
* ``dayofweek`` (0 = Sunday), ``isodow`` and ``date_part('dow')`` count days differently.
* ``min(x, n)`` (DuckDB's n smallest) is ``slice(array_sort(collect_list(x)), 1, n)``;
  ``list_distinct`` drops NULLs; list indexes are 1-based; ``to_hours`` & co. are intervals.
* JSON values are kept as JSON text: ``CAST(x AS JSON)`` is the text, ``json_type`` and
  ``->> '$'`` read it through Spark's VARIANT.
* ``strftime`` / ``try_strptime`` formats become Java date-time patterns; ``LIKE`` has no
  escape character in DuckDB, ``\\`` in Spark.

What cannot be made to mean the same (``hash()``, a ``regexp_replace`` without the
``'g'`` option, a computed regex, an unknown format code) raises :class:`SparkUnsupported`;
``checker lint --engine spark`` reports it at the rule's line, before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from checker.i18n import Msg, _
from checker.sql.regex import SparkUnsupported, java_regex

DIALECT_IN = "duckdb"
DIALECT_OUT = "spark"


# -- date formats: strftime -> java.time ---------------------------------------------------------------

_FORMAT = {"Y": "yyyy", "y": "yy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss", "I": "hh",
           "p": "a", "j": "DDD", "b": "MMM", "B": "MMMM", "a": "EEE", "A": "EEEE", "f": "SSSSSS",
           "z": "xx", "-m": "M", "-d": "d", "-H": "H", "-M": "m", "-S": "s", "-I": "h", "-j": "D"}


def java_date_format(fmt: str) -> str:
    out: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            text = "".join(literal).replace("'", "''")
            out.append(text if all(not c.isalpha() for c in text) else f"'{text}'")
            literal.clear()

    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            literal.append(ch)
            i += 1
            continue
        code = fmt[i + 1:i + 3] if fmt[i + 1:i + 2] == "-" else fmt[i + 1:i + 2]
        if code == "%":
            literal.append("%")
        elif code in _FORMAT:
            flush()
            out.append(_FORMAT[code])
        else:
            raise SparkUnsupported(_("the format code %{code} has no Spark equivalent", code=code))
        i += 1 + len(code)
    flush()
    return "".join(out)


# -- the tree rewrite ------------------------------------------------------------------------------------

def _lit_text(node: exp.Expression | None, what: Msg) -> str:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    raise SparkUnsupported(_("{what} must be a literal string on Spark", what=what))


def _f(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _double(node: exp.Expression) -> exp.Cast:
    return exp.Cast(this=node, to=exp.DataType.build("DOUBLE"))


def _special(name: str) -> exp.Cast:
    return exp.Cast(this=exp.Literal.string(name), to=exp.DataType.build("DOUBLE"))


def _divide(node: exp.Div) -> exp.Expression:
    a, b = node.this, node.expression
    by_zero = exp.Case(ifs=[
        exp.If(this=exp.GT(this=a.copy(), expression=exp.Literal.number(0)), true=_special("Infinity")),
        exp.If(this=exp.LT(this=a.copy(), expression=exp.Literal.number(0)), true=_special("-Infinity")),
        exp.If(this=exp.EQ(this=a.copy(), expression=exp.Literal.number(0)), true=_special("NaN")),
    ], default=exp.Null())
    return exp.paren(exp.Case(
        ifs=[exp.If(this=exp.EQ(this=_double(b.copy()), expression=exp.Literal.number(0)), true=by_zero)],
        default=exp.Div(this=_double(a), expression=_double(b))))


def _unit(node: exp.Expression | None, default: str = "DAY") -> str:
    if node is None:
        return default
    text = node.name if isinstance(node, (exp.Var, exp.Literal, exp.Identifier, exp.Column)) else node.sql()
    unit = text.strip("'\"").upper()
    unit = {"DAYS": "DAY", "MONTHS": "MONTH", "YEARS": "YEAR", "HOURS": "HOUR", "MINUTES": "MINUTE",
            "SECONDS": "SECOND", "WEEKS": "WEEK", "QUARTERS": "QUARTER", "D": "DAY", "MM": "MONTH",
            "YY": "YEAR", "H": "HOUR", "M": "MINUTE", "S": "SECOND"}.get(unit, unit)
    if unit not in ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
                    "MICROSECOND"):
        raise SparkUnsupported(_("date_diff unit '{unit}' is not supported on Spark", unit=text))
    return unit


def _date_diff(node: exp.DateDiff) -> exp.Expression:
    unit = _unit(node.args.get("unit"))
    start, end = node.expression, node.this          # DuckDB date_diff(unit, start, end) = end - start
    if unit == "WEEK":  # DuckDB counts day boundaries, then whole weeks of them
        days = _f("timestampdiff", exp.var("DAY"), _f("date_trunc", exp.Literal.string("DAY"), start),
                  _f("date_trunc", exp.Literal.string("DAY"), end))
        return exp.paren(exp.IntDiv(this=days, expression=exp.Literal.number(7)))
    trunc = lambda x: _f("date_trunc", exp.Literal.string(unit), x)  # noqa: E731
    return _f("timestampdiff", exp.var(unit), trunc(start), trunc(end))


_INTERVALS = {"to_years": ("make_ym_interval", 0), "to_months": ("make_ym_interval", 1),
              "to_days": ("make_dt_interval", 0), "to_hours": ("make_dt_interval", 1),
              "to_minutes": ("make_dt_interval", 2), "to_seconds": ("make_dt_interval", 3)}


def _interval(name: str, value: exp.Expression) -> exp.Expression:
    fn, pos = _INTERVALS[name]
    args: list[exp.Expression] = [exp.Literal.number(0) for _i in range(pos)] + [value]
    return _f(fn, *args)


def _json_type(value: exp.Expression) -> exp.Expression:
    """DuckDB's json_type names for a JSON text, read through Spark's VARIANT."""
    schema = _f("schema_of_variant", _f("try_parse_json", value))
    s = lambda text: exp.Literal.string(text)  # noqa: E731
    like = lambda prefix: exp.Like(this=schema.copy(), expression=s(prefix + "%"))  # noqa: E731
    return exp.Case(this=None, ifs=[
        exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null()),
        exp.If(this=exp.EQ(this=schema.copy(), expression=s("VOID")), true=s("NULL")),
        exp.If(this=exp.EQ(this=schema.copy(), expression=s("BIGINT")), true=s("BIGINT")),
        exp.If(this=like("DECIMAL") , true=exp.Case(
            ifs=[exp.If(this=like("DECIMAL(%,0)"), true=s("UBIGINT"))], default=s("DOUBLE"))),
        exp.If(this=exp.In(this=schema.copy(), expressions=[s("DOUBLE"), s("FLOAT")]), true=s("DOUBLE")),
        exp.If(this=exp.EQ(this=schema.copy(), expression=s("STRING")), true=s("VARCHAR")),
        exp.If(this=exp.EQ(this=schema.copy(), expression=s("BOOLEAN")), true=s("BOOLEAN")),
        exp.If(this=like("OBJECT"), true=s("OBJECT")),
        exp.If(this=like("ARRAY"), true=s("ARRAY")),
    ], default=schema.copy())


def _regex_flags(options: exp.Expression | None) -> str:
    if options is None:
        return ""
    opts = _lit_text(options, _("regex options"))
    flags = ""
    for o in opts:
        if o == "i":
            flags = flags.replace("iu", "") + "iu"   # Unicode case folding, as RE2's
        elif o == "c":
            flags = flags.replace("iu", "")          # the last of i/c wins, as in DuckDB
        elif o == "s":
            flags += "s"
        elif o == "g":
            continue
        else:
            raise SparkUnsupported(_("regex option '{option}' is not supported on Spark", option=o))
    return f"(?{flags})" if flags else ""


def _pattern(node: exp.Expression, prefix: str = "", suffix: str = "", flags: str = "") -> exp.Literal:
    return exp.Literal.string(flags + prefix + java_regex(_lit_text(node, _("a regular expression"))) + suffix)


def _replacement(node: exp.Expression) -> exp.Literal:
    """RE2 replacement (\\1 groups) -> Java ($1 groups, literal $ escaped)."""
    text = _lit_text(node, _("a regexp_replace replacement"))
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(f"${nxt}" if nxt.isdigit() else ("\\\\" if nxt == "\\" else nxt))
            i += 2
            continue
        out.append("\\$" if ch == "$" else ch)
        i += 1
    return exp.Literal.string("".join(out))


def _like(node: exp.Like | exp.ILike) -> exp.Expression:
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and "\\" in pattern.this:
        node.set("expression", exp.Literal.string(pattern.this.replace("\\", "\\\\")))
    elif not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise SparkUnsupported(_("a LIKE pattern must be a literal string on Spark (escape characters differ)"))
    return node


def _whole_number(node: exp.Floor | exp.Ceil) -> exp.Expression:
    """floor/ceil keep DuckDB's type: Spark's return a BIGINT (overflowing for |x| >= 2^63, NaN becoming 0)."""
    x = node.this
    big = exp.or_(_f("isnan", _double(x.copy())),
                  exp.GTE(this=_f("abs", _double(x.copy())), expression=exp.Literal.number("4.5e15")))
    return exp.paren(exp.Case(ifs=[exp.If(this=big, true=x.copy())], default=node.copy()))


_INTERVAL_UNITS = {"YEAR": "to_years", "MONTH": "to_months", "DAY": "to_days", "HOUR": "to_hours",
                   "MINUTE": "to_minutes", "SECOND": "to_seconds"}


def _interval_of(node: exp.Interval) -> exp.Expression:
    """INTERVAL (expr) UNIT with a computed amount: Spark's parser takes literals only."""
    unit = _unit(node.args.get("unit")) if node.args.get("unit") else None
    if unit not in _INTERVAL_UNITS:
        raise SparkUnsupported(_("an interval of a computed number of {unit} is not supported on Spark", unit=unit)
                               if unit else _("an interval of a computed number of units is not supported on Spark"))
    value = node.this.this if isinstance(node.this, exp.Paren) else node.this
    return _interval(_INTERVAL_UNITS[unit], value)


#: Unicode space separators (Zs: U+0020, U+00A0, U+3000 …), which DuckDB's trim() removes; Spark's removes ' ' only.
_SPACE_CLASS = "\\p{Zs}"


def _trim(node: exp.Trim) -> exp.Expression:
    position = (node.args.get("position") or "").upper()
    lead, trail = f"^{_SPACE_CLASS}+", f"{_SPACE_CLASS}+\\z"
    pattern = lead if position == "LEADING" else trail if position == "TRAILING" else f"{lead}|{trail}"
    return _f("regexp_replace", node.this, exp.Literal.string(pattern), exp.Literal.string(""))


def _anonymous(node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    args = node.expressions
    if name in _INTERVALS:
        return _interval(name, args[0])
    if name == "strlen":  # bytes of the UTF-8 text
        return _f("octet_length", args[0])
    if name in ("try_strptime", "strptime"):
        fmt = exp.Literal.string(java_date_format(_lit_text(args[1], _("a strptime format"))))
        return _f("try_to_timestamp" if name == "try_strptime" else "to_timestamp", args[0], fmt)
    if name == "date_part":
        part = _lit_text(args[0], _("a date_part part")).lower()
        return _part(part, args[1])
    if name == "hash":
        raise SparkUnsupported(_("hash() differs between DuckDB and Spark; use md5()"))
    if name in ("json_valid",):
        return exp.Not(this=exp.Is(this=_f("try_parse_json", args[0]), expression=exp.Null()))
    return node


def _part(part: str, value: exp.Expression) -> exp.Expression:
    if part in ("dow", "dayofweek", "weekday"):
        return exp.Sub(this=_f("dayofweek", value), expression=exp.Literal.number(1))
    if part == "isodow":
        return exp.Add(this=_f("weekday", value), expression=exp.Literal.number(1))
    if part in ("week", "weekofyear", "weeks"):
        return _f("weekofyear", value)
    if part == "epoch":
        return exp.Div(this=_f("unix_micros", exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))),
                       expression=exp.Literal.number(1000000.0))
    if part == "second":   # DuckDB: whole seconds; Spark's date_part adds the fraction
        return _f("second", value)
    if part in ("year", "month", "day", "hour", "minute", "quarter", "doy", "dayofyear"):
        return _f("date_part", exp.Literal.string({"doy": "doy", "dayofyear": "doy"}.get(part, part)), value)
    raise SparkUnsupported(_("date_part '{part}' is not supported on Spark", part=part))


# -- one rewrite per sqlglot expression type ----------------------------------------------------------

def _whole_number_unless_decimals(node: exp.Floor | exp.Ceil) -> exp.Expression:
    return node if node.args.get("decimals") else _whole_number(node)


def _computed_interval(node: exp.Interval) -> exp.Expression:
    return node if isinstance(node.this, exp.Literal) else _interval_of(node)


def _trim_spaces(node: exp.Trim) -> exp.Expression:
    return node if node.args.get("expression") is not None else _trim(node)


def _to_days(node: exp.ToDays) -> exp.Expression:
    return _interval("to_days", node.this)


def _cast(node: exp.Cast) -> exp.Expression:
    """JSON stays JSON text (a STRING); HUGEINT becomes DECIMAL(38, 0).  Also TRY_CAST, a subclass."""
    if node.to.is_type(exp.DataType.Type.JSON):
        return exp.Cast(this=node.this, to=exp.DataType.build("STRING"))
    if node.to.is_type(exp.DataType.Type.INT128):
        node.set("to", exp.DataType.build("DECIMAL(38, 0)"))
    return node


def _json_type_of(node: exp.JSONType) -> exp.Expression:
    return _json_type(node.this)


def _json_extract_scalar(node: exp.JSONExtractScalar) -> exp.Expression:
    """``->> path``: the value at the path as text, read through Spark's VARIANT."""
    path = node.expression
    text = path.this if isinstance(path, exp.Literal) else None
    if text is None and isinstance(path, exp.JSONPath):
        text = path.sql()
    text = (text or "").strip("'")
    return _f("try_variant_get", _f("try_parse_json", node.this), exp.Literal.string(text or "$"),
              exp.Literal.string("string"))


def _regexp_full_match(node: exp.RegexpFullMatch) -> exp.Expression:
    return exp.RegexpLike(this=node.this, expression=_pattern(node.expression, "^(?:", ")\\z",
                                                              _regex_flags(node.args.get("options"))))


def _regexp_like(node: exp.RegexpLike) -> exp.Expression:
    return exp.RegexpLike(this=node.this, expression=_pattern(node.expression,
                                                              flags=_regex_flags(node.args.get("flag"))))


def _regexp_extract(node: exp.RegexpExtract) -> exp.Expression:
    group = node.args.get("group") or exp.Literal.number(0)
    return _f("regexp_extract", node.this, _pattern(node.expression), group)


def _regexp_replace(node: exp.RegexpReplace) -> exp.Expression:
    mods = node.args.get("modifiers")
    opts = _lit_text(mods, _("regexp_replace options")) if mods is not None else ""
    if "g" not in opts:
        raise SparkUnsupported(_("regexp_replace without the 'g' option replaces the first match on DuckDB "
                                 "and every match on Spark; add 'g' to replace every match on both"))
    return _f("regexp_replace", node.this, _pattern(node.expression, flags=_regex_flags(mods)),
              _replacement(node.args["replacement"]))


def _day_of_week(node: exp.DayOfWeek) -> exp.Expression:
    return exp.paren(exp.Sub(this=_f("dayofweek", node.this), expression=exp.Literal.number(1)))


def _day_of_week_iso(node: exp.DayOfWeekIso) -> exp.Expression:
    return exp.paren(exp.Add(this=_f("weekday", node.this), expression=exp.Literal.number(1)))


def _week(node: exp.Week) -> exp.Expression:
    return _f("weekofyear", node.this)


def _extract(node: exp.Extract) -> exp.Expression:
    return _part(node.this.name.lower(), node.expression)


def _epoch(node: exp.TimeToUnix) -> exp.Expression:
    return _part("epoch", node.this)


def _strftime(node: exp.TimeToStr) -> exp.Expression:
    fmt = node.args.get("format")
    return _f("date_format", node.this, exp.Literal.string(java_date_format(_lit_text(fmt, _("a strftime format")))))


def _min(node: exp.Min) -> exp.Expression:
    """``min(x, n)``, unless under a FILTER (:func:`_filtered_min` rewrites both)."""
    if node.args.get("count") is None or isinstance(node.parent, exp.Filter):
        return node
    return _first_n(node)


def _filtered_min(node: exp.Filter) -> exp.Expression:
    """``min(x, n) FILTER (WHERE …)``; any other FILTER stays."""
    if isinstance(node.this, exp.Min) and node.this.args.get("count") is not None:
        return _first_n(node.this, node.expression)
    return node


def _list_distinct(node: exp.ArrayDistinct) -> exp.Expression:
    return _f("array_compact", _f("array_distinct", node.this))


def _bracket(node: exp.Bracket) -> exp.Expression:
    return _f("element_at", node.this, node.expressions[0]) if len(node.expressions) == 1 else node


def _any_value(node: exp.IgnoreNulls) -> exp.Expression:
    if isinstance(node.this, exp.AnyValue):
        return _f("any_value", node.this.this, exp.true())   # skip NULLs, as DuckDB's any_value does
    return node


def _concat(node: exp.Concat) -> exp.Expression:
    return _f("concat_ws", exp.Literal.string(""), *node.expressions)


def _keep(node: exp.Expression) -> exp.Expression:
    return node


Rewrite = Callable[[Any], exp.Expression]

#: sqlglot expression type -> its rewrite; a type not here takes its nearest base class's (TRY_CAST:
#: CAST's), and a node of no type here is kept.  Each rewrite keeps the node when its case does not apply.
REWRITES: dict[type[exp.Expression], Rewrite] = {
    exp.Div: _divide,
    exp.DateDiff: _date_diff,
    exp.Floor: _whole_number_unless_decimals,
    exp.Ceil: _whole_number_unless_decimals,
    exp.Interval: _computed_interval,
    exp.Trim: _trim_spaces,
    exp.Anonymous: _anonymous,
    exp.ToDays: _to_days,
    exp.Cast: _cast,
    exp.JSONType: _json_type_of,
    exp.JSONExtractScalar: _json_extract_scalar,
    exp.RegexpFullMatch: _regexp_full_match,
    exp.RegexpLike: _regexp_like,
    exp.RegexpExtract: _regexp_extract,
    exp.RegexpReplace: _regexp_replace,
    exp.DayOfWeek: _day_of_week,
    exp.DayOfWeekIso: _day_of_week_iso,
    exp.Week: _week,
    exp.Extract: _extract,
    exp.TimeToUnix: _epoch,
    exp.TimeToStr: _strftime,
    exp.Min: _min,
    exp.Filter: _filtered_min,
    exp.ArrayDistinct: _list_distinct,
    exp.Bracket: _bracket,
    exp.Like: _like,
    exp.ILike: _like,
    exp.IgnoreNulls: _any_value,
    exp.Concat: _concat,
    exp.ConcatWs: _keep,                  # a Concat subclass Spark has as it is
}


_FOR_TYPE: dict[type[exp.Expression], Rewrite | None] = {}


def _rewrite_for(cls: type[exp.Expression]) -> Rewrite | None:
    """The rewrite of a node type: its own, else its nearest base class's in :data:`REWRITES` (memoised)."""
    if cls not in _FOR_TYPE:
        _FOR_TYPE[cls] = next((REWRITES[base] for base in cls.__mro__ if base in REWRITES), None)
    return _FOR_TYPE[cls]


def _convert(node: exp.Expression) -> exp.Expression:
    rewrite_node = _rewrite_for(type(node))
    return node if rewrite_node is None else rewrite_node(node)


def _first_n(node: exp.Min, where: exp.Expression | None = None) -> exp.Expression:
    """DuckDB's ``min(x, n) [FILTER (WHERE …)]``, the n smallest values in order: sort the collected values."""
    collected: exp.Expression = _f("collect_list", node.this)
    if where is not None:
        collected = exp.Filter(this=collected, expression=where)
    return _f("slice", _f("array_sort", collected), exp.Literal.number(1), node.args["count"])


def _rewrite(node: exp.Expression, step: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Post-order: children first, then the node (a rewritten node is not visited again)."""
    for child in list(node.iter_expressions()):
        new = _rewrite(child, step)
        if new is not child:
            child.replace(new)
    return step(node)


def rewrite(tree: exp.Expression) -> exp.Expression:
    return _rewrite(tree.copy(), _convert)


@lru_cache(maxsize=4096)
def to_spark(sql: str, queries_only: bool = False) -> str:
    """Transpile one DuckDB-dialect statement to Spark SQL (raises SparkUnsupported).

    With ``queries_only`` anything but a query (a SELECT, possibly with set operations) is refused.
    """
    tree = sqlglot.parse_one(sql, read=DIALECT_IN)
    # parse_one is typed as returning sqlglot's base Expr, but every node class it builds is an Expression
    assert isinstance(tree, exp.Expression), type(tree)
    if queries_only and not isinstance(tree, exp.Query):
        raise SparkUnsupported(_("only queries run once the data is loaded, not {statement}",
                                 statement=type(tree).__name__))
    return rewrite(tree).sql(dialect=DIALECT_OUT)


def unsupported(node: exp.Expression) -> Msg | str | None:
    """Why a checked rule expression cannot run on Spark, or None."""
    try:
        rewrite(node).sql(dialect=DIALECT_OUT, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SparkUnsupported as err:
        return err.message
    except sqlglot.errors.UnsupportedError as err:
        return str(err)
    return None
