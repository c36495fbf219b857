"""SQL text the compiler and the engines share: quoting, literals, date, time and e-mail tests.

Identifiers and literals always go through sqlglot so that quoting is right; the fragments
below are fixed templates that never contain user text.  A leaf: it imports nothing of the
checker but the message markers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import sqlglot
from sqlglot import exp

#: the dialect rule expressions are written, checked and planned in
DIALECT = "duckdb"

#: functions that read the clock (refused in rules: a rule's result depends on ``--as-of`` only)
CLOCK_FUNCTIONS = {"current_date", "current_timestamp", "now", "today", "get_current_time",
                   "get_current_timestamp", "current_time", "localtimestamp", "localtime"}
#: functions that read files, settings or the environment (refused everywhere)
FILE_FUNCTIONS = {"read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_parquet", "read_text",
                  "read_blob", "glob", "parquet_scan", "read_ndjson", "read_json_objects", "getenv",
                  "current_setting", "load_extension", "install_extension", "sniff_csv", "query", "query_table"}


def as_expression(node: object) -> exp.Expression:
    """``node`` typed as the :class:`sqlglot.exp.Expression` it is.

    sqlglot (from 30) types what its parser, builders and ``walk`` return as its abstract bases
    (``Expr``, ``Condition``, ``Func``); every concrete node class derives from ``Expression``, which is
    what the checker's signatures name.  Anything else is a bug in the checker, not in a rule.
    """
    if not isinstance(node, exp.Expression):
        raise TypeError(f"not an SQL expression node: {type(node).__name__}")
    return node


def tree(sql: str) -> exp.Expression:
    """One SQL expression of the checker's own writing, parsed in :data:`DIALECT`."""
    return as_expression(sqlglot.parse_one(sql, read=DIALECT))


def literal(value: Any) -> exp.Expression:
    """A typed SQL literal for a parameter value."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float) and not math.isfinite(value):
        return exp.cast(exp.Literal.string(repr(value)), exp.DataType.build("DOUBLE"))
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value) if isinstance(value, float) else str(value))
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple)):
        return exp.Tuple(expressions=[literal(v) for v in value])
    if value is None:
        return exp.Null()
    raise TypeError(f"unsupported parameter value {value!r}")


def qi(name: str) -> str:
    """A quoted identifier."""
    return exp.to_identifier(name, quoted=True).sql(dialect=DIALECT)


def ql(value: Any) -> str:
    """A typed SQL literal."""
    return literal(value).sql(dialect=DIALECT)


_D = "[0-9]"
DATE_RE = f"{_D}{{4}}-{_D}{{2}}-{_D}{{2}}"
DATETIME_RE = (f"({_D}{{4}}-{_D}{{2}}-{_D}{{2}})[Tt ]({_D}{{2}}):({_D}{{2}}):({_D}{{2}})(\\.{_D}+)?"
               f"([Zz]|([+-])({_D}{{2}}):({_D}{{2}}))?")
_ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
EMAIL_RE = (f"({_ATEXT}+(\\.{_ATEXT}+)*|\"([^\"\\\\]|\\\\.)*\")@"
            f"({_LABEL}(\\.{_LABEL})*|\\[{_OCTET}(\\.{_OCTET}){{3}}\\]|\\[IPv6:[0-9A-Fa-f:.]+\\])")


def valid_date(s: str) -> str:
    """SQL: s is an RFC 3339 full-date (a real calendar day)."""
    return f"(regexp_full_match({s}, {ql(DATE_RE)}) AND try_strptime({s}, '%Y-%m-%d') IS NOT NULL)"


def valid_datetime(s: str) -> str:
    """SQL: s is an RFC 3339 date-time; the offset may be left out (local time, as exports write it).

    A leap second (:60) is valid only where it falls on 23:59 UTC.
    """
    g = lambda n: f"regexp_extract({s}, {ql('^' + DATETIME_RE + '$')}, {n})"  # noqa: E731
    hh, mm, ss = (f"TRY_CAST({g(i)} AS INTEGER)" for i in (2, 3, 4))
    oh, om = f"coalesce(TRY_CAST({g(8)} AS INTEGER), 0)", f"coalesce(TRY_CAST({g(9)} AS INTEGER), 0)"
    sign = f"(CASE WHEN {g(7)} = '-' THEN -1 ELSE 1 END)"
    utc_minute = f"((({hh} * 60 + {mm}) - {sign} * ({oh} * 60 + {om})) % 1440 + 1440) % 1440"
    return (f"(regexp_full_match({s}, {ql(DATETIME_RE)})"
            f" AND try_strptime({g(1)}, '%Y-%m-%d') IS NOT NULL"
            f" AND {hh} <= 23 AND {mm} <= 59 AND {oh} <= 23 AND {om} <= 59"
            f" AND ({ss} <= 59 OR ({ss} = 60 AND {utc_minute} = 1439)))")


def to_timestamp(s: str) -> str:
    """SQL: the UTC TIMESTAMP of a valid date-time string (a leap second counts as :59)."""
    fixed = f"(CASE WHEN contains({s}, ':60') THEN regexp_replace({s}, ':60', ':59', 'g') ELSE {s} END)"
    return f"CAST(TRY_CAST(upper({fixed}) AS TIMESTAMPTZ) AS TIMESTAMP)"


def fast_timestamp(s: str) -> str:
    """SQL: the TIMESTAMP of the common export form 'YYYY-MM-DD HH:MM:SS' (or with 'T'), else NULL.

    Cheap (one regex, one strptime); anything else falls back to :func:`valid_datetime`,
    which costs about twenty times as much.  Use it in CASE/coalesce so that the slow
    check only runs for the values the fast path cannot read.
    """
    iso = "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}"
    return (f"(CASE WHEN regexp_full_match({s}, '{iso}') "
            f"THEN try_strptime(replace({s}, 'T', ' '), '%Y-%m-%d %H:%M:%S') END)")


def timestamp_value(s: str) -> str:
    """SQL: the UTC TIMESTAMP of a valid date-time string, else NULL."""
    return f"coalesce({fast_timestamp(s)}, CASE WHEN {valid_datetime(s)} THEN {to_timestamp(s)} END)"


def valid_email(s: str) -> str:
    return f"regexp_full_match({s}, {ql(EMAIL_RE)})"
