"""Check an export dialect object (``x-dialect`` in a schema, ``dialect`` in ``datasets.yaml``).

Every mistake is a positioned S304 problem with a suggestion: an unknown key, a strptime spelling
with a directive the engines do not read, an unknown time zone, a ``decimal_mark`` equal to
``thousands``, a spelling that is both true and false.  A checked object becomes a
:class:`checker.model.dialect.Dialect` layer.
"""

from __future__ import annotations

import functools
from typing import Any

from checker import codes
from checker.i18n import _
from checker.load.yamlio import Positions
from checker.model.dialect import DIRECTIVES, FORMAT_NAMES, KEYS, Dialect, directives
from checker.problems import Problem, did_you_mean

PathKey = tuple[Any, ...]


@functools.lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA zone names the engine knows (DuckDB's ICU database, which Spark's Java also holds)."""
    import duckdb

    with duckdb.connect(":memory:") as con:
        return frozenset(row[0] for row in con.execute("SELECT name FROM pg_timezone_names()").fetchall())


def check_dialect(value: Any, at: PathKey, pos: Positions) -> tuple[Dialect | None, list[Problem]]:
    """The dialect layer of the object at ``at`` (None when it has problems), and its problems."""
    out: list[Problem] = []

    def err(path: PathKey, msg, hint=None, key: bool = False) -> None:
        out.append(Problem(pos.key(at + path) if key else pos.value(at + path), codes.S304, msg, hint=hint))

    if not isinstance(value, dict):
        err((), _("an export dialect must be an object of keys ({names})", names=", ".join(KEYS)))
        return None, out
    for key in value:
        if key not in KEYS:
            err((key,), _("unknown export dialect key '{key}'", key=str(key)),
                hint=did_you_mean(str(key), KEYS) or _("keys: {names}", names=", ".join(KEYS)), key=True)

    def strings(key: str, allow_empty_text: bool = False) -> list[str] | None:
        items = value.get(key)
        if items is None:
            return None
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            err((key,), _("'{key}' must be a list of strings", key=key),
                hint=_("e.g. {key}: [\"{example}\"]", key=key, example={"null": "N/A", "true": "是", "false": "否",
                                                                      "currency": "NT$", "formats": "%Y/%m/%d"
                                                                      }.get(key, "x")))
            return None
        for i, s in enumerate(items):
            if s == "" and not allow_empty_text:
                err((key, i), _("'{key}' lists an empty spelling", key=key))
        return items

    formats = strings("formats")
    if formats is not None:
        if not formats:
            err(("formats",), _("'formats' lists no spelling"), hint=_("leave it out to read ISO 8601 ('iso')"))
        for i, fmt in enumerate(formats):
            problem = format_problem(fmt)
            if problem:
                err(("formats", i), problem[0], hint=problem[1])
    zone = value.get("timezone")
    if zone is not None and (not isinstance(zone, str) or zone not in time_zones()):
        err(("timezone",), _("unknown time zone '{zone}'", zone=str(zone)),
                hint=did_you_mean(str(zone), time_zones()) or _("use an IANA zone name such as Asia/Taipei"))
    marks: dict[str, str] = {}
    for key in ("thousands", "decimal_mark"):
        mark = value.get(key)
        if mark is None:
            continue
        allowed = (".", ",") if key == "decimal_mark" else (",", ".", " ", "'", "\u00a0", "_")
        if not isinstance(mark, str) or mark not in allowed:
            err((key,), _("'{key}' must be one of {marks}", key=key, marks=", ".join(repr(m) for m in allowed)))
        else:
            marks[key] = mark
    if marks.get("thousands") is not None and marks.get("thousands") == marks.get("decimal_mark", "."):
        err(("decimal_mark",) if "decimal_mark" in value else ("thousands",),
            _("'thousands' and 'decimal_mark' are both {mark}: a number could be read two ways",
              mark=repr(marks["thousands"])),
            hint=_("e.g. thousands: \".\" with decimal_mark: \",\""))
    currency = strings("currency")
    for i, sym in enumerate(currency or ()):
        if any(ch.isdigit() or ch in "+-.,%" for ch in sym) or sym != sym.strip():
            err(("currency", i), _("currency '{symbol}' holds a digit, a sign, a mark or surrounding space",
                                  symbol=sym), hint=_("list symbols or words only: NT$, ¥, 元"))
    for key in ("percent", "trim"):
        if key in value and not isinstance(value[key], bool):
            err((key,), _("'{key}' must be true or false", key=key))
    trues, falses = strings("true"), strings("false")
    nulls = strings("null", allow_empty_text=True)
    for i, s in enumerate(trues or ()):
        if s in (falses or ()):
            err(("true", i), _("'{spelling}' is listed as both true and false", spelling=s))
    for key, listed in (("true", trues), ("false", falses)):
        for i, s in enumerate(listed or ()):
            if s in (nulls or ()):
                err((key, i), _("'{spelling}' is listed as both {key} and null", spelling=s, key=key))
    if "normalize" in value and value["normalize"] != "nfkc":
        err(("normalize",), _("unknown normalisation '{form}'", form=str(value["normalize"])),
            hint=_("the one normalisation is nfkc (full-width letters and digits read as ASCII)"))
    if out:
        return None, out
    return Dialect.of(value), out


def format_problem(fmt: str):
    """(message, hint) of a ``formats`` entry that cannot be read, or None."""
    if fmt in FORMAT_NAMES:
        return None
    spelling = fmt[len("roc:"):] if fmt.startswith("roc:") else fmt
    found = directives(spelling)
    known = " ".join(f"%{d}" for d in sorted(DIRECTIVES))
    for code in found:
        if code == "":
            return (_("format '{format}' ends in a lone '%'", format=fmt), _("write %% for a literal '%'"))
        if code not in DIRECTIVES:
            return (_("format '{format}' has the directive %{code}, which the engines do not read", format=fmt,
                      code=code),
                    did_you_mean(f"%{code}", [f"%{d}" for d in DIRECTIVES])
                    or _("directives: {names}; or iso, rfc3339, excel-serial, roc:<strptime>", names=known))
    if not found:
        return (_("format '{format}' has no directive: it would match one text only", format=fmt),
                did_you_mean(fmt, FORMAT_NAMES) or _("e.g. %Y/%m/%d %H:%M, iso, excel-serial or roc:%Y/%m/%d"))
    if "Y" not in found and fmt.startswith("roc:"):
        return (_("format '{format}' reads a Republic of China year but has no %Y", format=fmt),
                _("e.g. roc:%Y/%m/%d"))
    for code in set(found):
        if found.count(code) > 1:
            return (_("format '{format}' reads %{code} twice", format=fmt, code=code), None)
    if "p" in found and "I" not in found:
        return (_("format '{format}' has %p (AM/PM) without %I (the 12-hour clock)", format=fmt),
                _("use %I with %p, or %H alone"))
    if "I" in found and "p" not in found:
        return (_("format '{format}' has %I (the 12-hour clock) without %p (AM/PM)", format=fmt),
                _("use %I with %p, or %H alone"))
    if "Y" not in found or not ({"m", "b"} & set(found) or "j" in found) or ("d" not in found and "j" not in found):
        return (_("format '{format}' does not read a whole date (a year, a month and a day)", format=fmt),
                _("e.g. %Y/%m/%d or %d.%m.%Y"))
    return None
