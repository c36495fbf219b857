"""Small, safe SQL fragments shared by the loader and the structural checks.

Identifiers and literals always go through sqlglot so that quoting is right; the
fragments below are fixed templates that never contain user text.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from checker.compile.expr import DIALECT, literal
from checker.i18n import Msg, _


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
    return (f"(CASE WHEN regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}') "
            f"THEN try_strptime(replace({s}, 'T', ' '), '%Y-%m-%d %H:%M:%S') END)")


def timestamp_value(s: str) -> str:
    """SQL: the UTC TIMESTAMP of a valid date-time string, else NULL."""
    return f"coalesce({fast_timestamp(s)}, CASE WHEN {valid_datetime(s)} THEN {to_timestamp(s)} END)"


def valid_email(s: str) -> str:
    return f"regexp_full_match({s}, {ql(EMAIL_RE)})"


# -- ECMA-262 patterns (JSON Schema) -> RE2 (DuckDB) ---------------------------------------------------

class PatternError(ValueError):
    """An ECMA-262 pattern construct with no RE2 equivalent (its one argument: a message)."""

    @property
    def message(self) -> Msg | str:
        """Why, in no language yet."""
        return self.args[0] if self.args else type(self).__name__


#: ECMA-262 General_Category long names (and aliases) -> the short names RE2 knows.
_GENERAL_CATEGORY = {
    "Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M",
    "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N",
    "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
    "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
    "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C",
    "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
}
_GC_SHORT = frozenset(_GENERAL_CATEGORY.values())
#: ECMA-262 WhiteSpace and LineTerminator code points (what \s matches), as RE2 class items.
_ECMA_SPACE = ("\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
               "\\x{205F}\\x{3000}\\x{FEFF}")
#: ECMA-262 LineTerminator (what . does not match).
_ECMA_DOT = "[^\\n\\r\\x{2028}\\x{2029}]"
_HEX = frozenset("0123456789abcdefABCDEF")
#: Escapes that mean the same in both dialects.
_SAME = frozenset("dDwWbBfnrtv")


def _property(body: str, negated: bool) -> str:
    name, _sep, value = body.partition("=")
    if value:
        if name in ("General_Category", "gc"):
            short = _GENERAL_CATEGORY.get(value, value if value in _GC_SHORT else None)
        elif name in ("Script", "sc"):
            short = value
        else:
            raise PatternError(_("\\p{{{name}}} is not supported", name=body))
    else:
        short = _GENERAL_CATEGORY.get(name, name)
    if short is None:
        raise PatternError(_("\\p{{{name}}} is not supported", name=body))
    return f"\\{'P' if negated else 'p'}{{{short}}}"


def re2_pattern(pattern: str) -> str:
    """An ECMA-262 regular expression (JSON Schema ``pattern``) rewritten for RE2 with the same meaning.

    Unicode property names, ``\\u`` escapes (four hex digits), ``\\s``, ``.``, ``[]``/``[^]`` and named groups are
    translated; constructs RE2 cannot run (backreferences, lookaround, inline flags) raise PatternError.
    The result must still compile in RE2 (the schema loader checks that).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternError(_("the pattern ends with a lone backslash"))
            nxt = pattern[i + 1]
            if nxt in "pP" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise PatternError(_("unterminated \\p{...}"))
                out.append(_property(pattern[i + 3:end], nxt == "P"))
                i = end + 1
                continue
            if nxt == "u":
                if pattern.startswith("{", i + 2):
                    end = pattern.find("}", i + 3)
                    digits = pattern[i + 3:end] if end > 0 else ""
                    if not digits or not set(digits) <= _HEX:
                        raise PatternError(_("malformed \\u{...} escape"))
                    out.append(f"\\x{{{digits}}}")
                    i = end + 1
                    continue
                digits = pattern[i + 2:i + 6]
                if len(digits) != 4 or not set(digits) <= _HEX:
                    raise PatternError(_("malformed \\u escape"))
                code = int(digits, 16)
                low = pattern[i + 8:i + 12] if pattern.startswith("\\u", i + 6) else ""
                if 0xD800 <= code <= 0xDBFF and len(low) == 4 and set(low) <= _HEX \
                        and 0xDC00 <= int(low, 16) <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                    i += 6
                out.append(f"\\x{{{code:X}}}")
                i += 6
                continue
            if nxt == "x":
                digits = pattern[i + 2:i + 4]
                if len(digits) != 2 or not set(digits) <= _HEX:
                    raise PatternError(_("malformed \\x escape"))
                out.append(f"\\x{digits}")
                i += 4
                continue
            if nxt == "c" and i + 2 < n and pattern[i + 2].isascii() and pattern[i + 2].isalpha():
                out.append(f"\\x{{{ord(pattern[i + 2]) % 32:X}}}")
                i += 3
                continue
            if nxt == "s":
                out.append(_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]")
                i += 2
                continue
            if nxt == "S":
                if in_class:
                    raise PatternError(_("\\S inside a character class is not supported"))
                out.append(f"[^{_ECMA_SPACE}]")
                i += 2
                continue
            if nxt == "0" and not pattern[i + 2:i + 3].isdigit():
                out.append("\\x00")
                i += 2
                continue
            if nxt == "b" and in_class:  # [\b] is a backspace in ECMA-262
                out.append("\\x08")
                i += 2
                continue
            if nxt.isdigit() or nxt == "k":
                raise PatternError(_("backreferences and octal escapes are not supported"))
            if nxt in _SAME or not nxt.isalnum():
                out.append(pattern[i:i + 2])
                i += 2
                continue
            raise PatternError(_("the escape \\{escape} is not supported", escape=nxt))
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                ch = "\\["
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            if pattern.startswith("[]", i):
                out.append("[^\\x00-\\x{10FFFF}]")
                i += 2
                continue
            if pattern.startswith("[^]", i):
                out.append("[\\x00-\\x{10FFFF}]")
                i += 3
                continue
            in_class = True
            out.append("[^" if pattern.startswith("[^", i) else "[")
            i += 2 if pattern.startswith("[^", i) else 1
            if i < n and pattern[i] == "]":  # ECMA closes here; the empty cases are handled above
                raise PatternError(_("malformed character class"))
            continue
        if ch == ".":
            out.append(_ECMA_DOT)
            i += 1
            continue
        if ch == "(" and pattern.startswith("(?", i):
            rest = pattern[i + 2:i + 4]
            if rest[:1] == ":":
                out.append("(?:")
                i += 3
                continue
            if rest[:1] == "<" and rest[1:2] not in ("=", "!"):
                out.append("(?P<")
                i += 3
                continue
            raise PatternError(_("lookaround assertions and inline flags are not supported"))
        out.append(ch)
        i += 1
    if in_class:
        raise PatternError(_("unterminated character class"))
    return "".join(out)
