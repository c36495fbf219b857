"""Engine error texts without record values.

DuckDB and Spark quote the value that broke a query (``Could not convert string '0912345678'
to INT32``, ``Type INT64 with value 13812345678 can't be cast``, ``The value 'jo@x.com' of the
type "STRING" …``), and that value may be personal data.  :func:`scrub` keeps the error's kind
and wording and replaces every value it may quote with ``…``:

* every quoted span (``'…'``, ``"…"``, `````…`````), from the first quote to the *last* quote of
  the same kind on the line, since engines do not escape a quote inside a value (so ``'O'Brien'``
  is one span), and an unclosed quote to the end of the line; a double-quoted SQL type name
  (``"INT"``, ``"DECIMAL(10,2)"``) is the only quoted text kept, and a word's apostrophe
  (``can't``) opens nothing;
* every number that is not part of a word (``9223372036854775807``, ``-1.5e3``; ``INT32`` and a
  Spark ``SQLSTATE: 22018`` stay);
* whatever follows ``with value``;
* whatever follows a second ``": "`` (``Invalid Input Error: missing ): <the pattern>``: engines name
  the value last, unquoted, after the description);
* every run of non-ASCII characters (engine messages are English; such text comes from data).

Callers name the rule and its columns themselves, so nothing is lost that a user needs.
"""

from __future__ import annotations

import re

from checker.i18n import Msg

GAP = "…"
_QUOTES = "'\"`"
_TYPE = re.compile(r"(?:TINYINT|SMALLINT|INT(?:EGER)?|BIGINT|HUGEINT|U?INT(?:8|16|32|64|128)|UBIGINT|FLOAT|REAL|"
                   r"DOUBLE|DECIMAL(?:\(\d+,\s*\d+\))?|NUMERIC(?:\(\d+,\s*\d+\))?|BOOL(?:EAN)?|VARCHAR|STRING|"
                   r"TEXT|DATE|TIME|TIMESTAMP(?:_NTZ|_LTZ| WITH TIME ZONE)?|INTERVAL|BLOB|BINARY|UUID|JSON)",
                   re.IGNORECASE)
_KEPT = re.compile(r'"(?:' + _TYPE.pattern + r')"|\bSQLSTATE: [0-9A-Z]{5}\b', re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WITH_VALUE = re.compile(r"(\bwith value\s+)\S+", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:]\d+)*(?:[eE][-+]?\d+)?(?![\w])")
_KEEP = "\x00K{}\x00"          # a kept span, while the rest is scrubbed (K: no number matches)


def scrub(text: str) -> str:
    """``text`` (one or more lines) with every value it may quote replaced by ``…``; see the module."""
    return "\n".join(_line(line) for line in str(text).splitlines())


def first_line(err: BaseException | str) -> str | Msg:
    """The first line of an error's text, scrubbed (its kind, e.g. ``Conversion Error:``, kept).

    An error of the checker's own whose one argument is a message (:class:`checker.i18n.Msg`: it quotes
    no record values) is that message, so it can still be shown in either language."""
    if isinstance(err, BaseException) and len(err.args) == 1 and isinstance(err.args[0], Msg):
        return err.args[0]
    lines = str(err).strip().splitlines()
    return _line(lines[0]) if lines else type(err).__name__


def kind(err: BaseException | str) -> str:
    """Only the kind of an engine error (``Invalid Input Error``), for errors about personal data."""
    lines = str(err).strip().splitlines()
    head = lines[0].split(":", 1)[0].strip() if lines else ""
    return head if re.fullmatch(r"[A-Za-z ]{1,60}", head) else type(err).__name__


def _line(line: str) -> str:
    kind_, sep, rest = line.partition(": ")
    description, sep2, _value = rest.partition(": ")
    if sep and sep2:                   # "Kind: description: value": the value goes
        line = f"{kind_}: {description}: {GAP}"
    line = _NON_ASCII.sub(GAP, line.replace("\x00", ""))
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return _KEEP.format(len(kept) - 1)

    line = _quoted(_KEPT.sub(keep, line))
    line = _NUMBER.sub(GAP, _WITH_VALUE.sub(lambda m: m.group(1) + GAP, line))
    return re.sub("\x00K(\\d+)\x00", lambda m: kept[int(m.group(1))], line)


def _quoted(line: str) -> str:
    out, i = [], 0
    while True:
        start = min((j for j in (_opening(line, q, i) for q in _QUOTES) if j >= 0), default=-1)
        if start < 0:
            out.append(line[i:])
            return "".join(out)
        quote = line[start]
        end = max((j for j in range(start + 1, len(line)) if line[j] == quote and not _apostrophe(line, j)),
                  default=-1)
        out.append(line[i:start] + quote + GAP)
        if end < 0:                       # unclosed: the value runs on to the end of the line
            return "".join(out)
        out.append(quote)
        i = end + 1


def _opening(line: str, quote: str, i: int) -> int:
    """The first ``quote`` from ``i`` that opens a quoted span (not a word's apostrophe, as in "can't")."""
    j = line.find(quote, i)
    while j >= 0 and j > 0 and (line[j - 1].isalnum() or line[j - 1] == "_"):
        j = line.find(quote, j + 1)
    return j


def _apostrophe(line: str, j: int) -> bool:
    return 0 < j < len(line) - 1 and line[j - 1].isalnum() and line[j + 1].isalnum()
