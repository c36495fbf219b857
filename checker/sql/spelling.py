"""Reading an export's own spellings (:mod:`checker.model.dialect`) in SQL.

Each function returns DuckDB-dialect SQL the Spark engine runs transpiled, like the rest of the
conversion (:mod:`checker.sql.values`).  A value that matches a declared spelling converts exactly;
one that matches none converts to NULL, which the loader turns into ``type`` or ``format`` evidence
citing the raw text.  Nothing is rounded: a number keeps its decimal text until the cast, a
percentage moves its decimal point by an exponent (``12.5%`` → ``12.5e-2``) rather than dividing.
"""

from __future__ import annotations

from checker.model.dialect import TIME_DIRECTIVES, TRIMMED, Dialect, directives, strptime_of
from checker.sql.text import DATETIME_RE, fast_timestamp, ql, to_timestamp, valid_date, valid_datetime

#: the SQL function that applies Unicode NFKC (registered by each engine; rules cannot call it)
NFKC = "checker_nfkc"
#: days from Excel's day zero (1899-12-30) to 1970-01-01
_EXCEL_EPOCH = 25569
#: white space at either end of a text
_EDGE_SPACE = "^[" + TRIMMED + "]+|[" + TRIMMED + "]+$"
#: the last Excel serial day (9999-12-31)
_EXCEL_LAST = 2958465

_DIRECTIVE_RE = {"Y": "[0-9]{1,4}", "m": "[0-9]{1,2}", "d": "[0-9]{1,2}", "H": "[0-9]{1,2}", "M": "[0-9]{1,2}",
                 "S": "[0-9]{1,2}", "I": "[0-9]{1,2}", "f": "[0-9]{1,9}", "j": "[0-9]{1,3}", "p": "[AaPp][Mm]",
                 "b": "[A-Za-z]{3}", "z": "([Zz]|[+-][0-9]{2}:?[0-9]{2})"}
#: directives written unpadded for the engines (both then read one or two digits)
_UNPADDED = frozenset("mdHMSI")


def _re_literal(text: str) -> str:
    """RE2 text matching ``text`` literally."""
    return "".join(ch if ch.isalnum() or ord(ch) > 127 else "\\" + ch for ch in text)


def prepared(r: str, d: Dialect, kind: str = "text") -> str:
    """SQL: the text r as the dialect reads it: NFKC, trimmed, a null spelling as NULL."""
    p = r
    if d.normalize:  # ASCII text is its own NFKC: the function sees only the values that are not
        p = f"(CASE WHEN strlen({p}) = length({p}) THEN {p} ELSE {NFKC}({p}) END)"
    if d.trim:
        p = f"regexp_replace({p}, {ql(_EDGE_SPACE)}, '', 'g')"
    if kind != "text":  # a JSON string is never null: it is trimmed and normalised only
        return p
    nulls = d.nulls
    if d.trim or nulls:
        spellings = ", ".join(ql(s) for s in ("",) + tuple(nulls))
        p = f"(CASE WHEN {p} IN ({spellings}) THEN NULL ELSE {p} END)"
    return p


def number_text(p: str, d: Dialect) -> str:
    """SQL: the number the text p spells in the dialect, written in JSON's grammar (the conversion
    then reads it as any number), or NULL when p does not spell a number the dialect's way."""
    t = p
    if d.currency:
        symbols = "|".join(_re_literal(s) for s in sorted(d.currency, key=len, reverse=True))
        t = f"regexp_replace({t}, {ql(f'^(-?) *({symbols}) *')}, '\\1', 'g')"
        t = f"regexp_replace({t}, {ql(f' *({symbols})$')}, '', 'g')"
    mark = d.decimal_mark or "."
    if d.percent:
        t = f"regexp_replace({t}, ' *%$', '', 'g')"
    exponent = "([eE][+-]?[0-9]+)?"
    branches = []
    if d.thousands:
        grouped = f"-?[0-9]{{1,3}}({_re_literal(d.thousands)}[0-9]{{3}})+({_re_literal(mark)}[0-9]+)?{exponent}"
        plain = f"replace({t}, {ql(d.thousands)}, '')"
        branches.append(f"WHEN regexp_full_match({t}, {ql(grouped)}) THEN "
                        + (f"replace({plain}, {ql(mark)}, '.')" if mark != "." else plain))
    if mark != ".":
        simple = f"-?[0-9]+({_re_literal(mark)}[0-9]+)?{exponent}"
        branches.append(f"WHEN regexp_full_match({t}, {ql(simple)}) THEN replace({t}, {ql(mark)}, '.')")
        fallback = "NULL"
    else:
        fallback = t
    n = f"(CASE {' '.join(branches)} ELSE {fallback} END)" if branches else t
    if d.percent:
        n = (f"(CASE WHEN NOT regexp_matches({p}, '%$') THEN {n} "
             f"WHEN contains(lower({n}), 'e') THEN NULL ELSE {n} || 'e-2' END)")
    return n


def boolean_value(p: str, d: Dialect) -> str:
    """SQL: the BOOLEAN the text p spells (only the listed spellings and JSON's when any are listed)."""
    if d.true is None and d.false is None:
        return f"(CASE WHEN lower({p}) IN ('true', 'false') THEN lower({p}) = 'true' END)"
    trues = ", ".join(ql(s) for s in ("true",) + tuple(d.true or ()))
    falses = ", ".join(ql(s) for s in ("false",) + tuple(d.false or ()))
    return f"(CASE WHEN {p} IN ({trues}) THEN TRUE WHEN {p} IN ({falses}) THEN FALSE END)"


def engine_format(spelling: str) -> str:
    """A strptime spelling as the engines are given it: a one- or two-digit field written unpadded
    (``%-m``) where a non-digit follows, so that DuckDB and Spark both read ``3`` and ``03``."""
    out = []
    i = 0
    while i < len(spelling):
        ch = spelling[i]
        if ch == "%" and i + 1 < len(spelling):
            code = spelling[i + 1]
            following = spelling[i + 2:i + 3]
            unpadded = code in _UNPADDED and (following == "" or (following != "%" and not following.isdigit()))
            out.append(f"%-{code}" if unpadded else f"%{code}")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _strptime(p: str, fmt: str) -> str:
    """SQL: the TIMESTAMP (TIMESTAMPTZ with ``%z``) of p in one strptime or ``roc:`` spelling, else NULL.
    Surrounding white space never matches (DuckDB's strptime would skip it): ``trim`` is for that."""
    spelling = strptime_of(fmt) or fmt
    text = p
    if fmt.startswith("roc:"):  # the year moved by 1911 in the text, so that 民國 113/02/29 is a leap day
        head = spelling.split("%Y", 1)[0]
        pattern = "^(" + _spelling_re(head) + ")([0-9]{1,3})(.*)$"
        year = f"CAST(CAST(regexp_extract({p}, {ql(pattern)}, 2) AS INTEGER) + 1911 AS VARCHAR)"
        text = (f"(CASE WHEN regexp_full_match({p}, {ql(pattern[1:-1])}) THEN "
                f"regexp_extract({p}, {ql(pattern)}, 1) || {year} || regexp_extract({p}, {ql(pattern)}, 3) END)")
    return (f"(CASE WHEN NOT regexp_matches({p}, {ql('^[' + TRIMMED + ']|[' + TRIMMED + ']$')}) "
            f"THEN try_strptime({text}, {ql(engine_format(spelling))}) END)")


def _spelling_re(spelling: str) -> str:
    out = []
    i = 0
    while i < len(spelling):
        if spelling[i] == "%" and i + 1 < len(spelling):
            code = spelling[i + 1]
            out.append("%" if code == "%" else _DIRECTIVE_RE.get(code, ".*"))
            i += 2
        else:
            out.append(_re_literal(spelling[i]))
            i += 1
    return "".join(out)


def local(utc: str, zone: str) -> str:
    """SQL: the wall-clock TIMESTAMP in ``zone`` of the instant ``utc`` (a TIMESTAMP in UTC)."""
    return utc if zone == "UTC" else f"(CAST({utc} AS TIMESTAMPTZ) AT TIME ZONE {ql(zone)})"


_OFFSET_RE = "([Zz]|[+-][0-9]{2}:[0-9]{2})$"
#: RFC 3339's date-time exactly (JSON Schema's format): a 'T', an offset
RFC3339_RE = DATETIME_RE.replace("[Tt ]", "[Tt]").removesuffix("?")


def _excel_days(p: str, whole: bool) -> str:
    spelled = "[0-9]{1,7}(\\.0+)?" if whole else "[0-9]{1,7}(\\.[0-9]+)?"
    n = f"TRY_CAST({p} AS DOUBLE)"
    return (f"(CASE WHEN regexp_full_match({p}, {ql(spelled)}) AND {n} < {_EXCEL_LAST + 1} THEN "
            f"epoch_ms(CAST(round(({n} - {_EXCEL_EPOCH}) * 86400000) AS BIGINT)) END)")


def date_value(p: str, d: Dialect) -> str:
    """SQL: the DATE the text p spells in one of the dialect's formats (those without a time of day)."""
    parts = []
    for fmt in d.format_list:
        if fmt in ("iso", "rfc3339"):
            parts.append(f"(CASE WHEN {valid_date(p)} THEN CAST({p} AS DATE) END)")
        elif fmt == "excel-serial":
            parts.append(f"CAST({_excel_days(p, True)} AS DATE)")
        elif not TIME_DIRECTIVES.intersection(directives(strptime_of(fmt) or "")):
            parts.append(f"CAST({_strptime(p, fmt)} AS DATE)")
    if not parts:
        return "CAST(NULL AS DATE)"
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def timestamp_value(p: str, d: Dialect) -> str:
    """SQL: the wall-clock TIMESTAMP in the dialect's zone that p spells in one of its formats: a time
    written without an offset is the zone's wall-clock time; one with an offset is converted to it."""
    zone = d.zone
    parts = []
    for fmt in d.format_list:
        if fmt == "iso":
            with_offset = (f"(CASE WHEN regexp_matches({p}, {ql(_OFFSET_RE)}) THEN {local(to_timestamp(p), zone)} "
                           f"ELSE {to_timestamp(p)} END)") if zone != "UTC" else to_timestamp(p)
            parts.append(f"coalesce({fast_timestamp(p)}, CASE WHEN {valid_datetime(p)} THEN {with_offset} END)")
        elif fmt == "rfc3339":
            parts.append(f"(CASE WHEN regexp_full_match({p}, {ql(RFC3339_RE)}) AND {valid_datetime(p)} "
                         f"THEN {local(to_timestamp(p), zone)} END)")
        elif fmt == "excel-serial":
            parts.append(_excel_days(p, False))
        else:
            parsed = _strptime(p, fmt)
            if "z" in directives(strptime_of(fmt) or ""):
                parsed = f"({parsed} AT TIME ZONE {ql(zone)})"
            parts.append(parsed)
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
