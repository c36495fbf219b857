"""Export dialects: how the text of an export spells dates, numbers, booleans and nulls.

An ``x-dialect`` object on a dataset schema (every column) or on one property, and a ``dialect``
object on a ``datasets.yaml`` entry (that export only), declare it.  They merge key by key, the
export's beating the property's beating the schema's; a list replaces the list below it
(:meth:`Dialect.over`).  An unset key keeps the reading of the contract's "Reading text", so a
schema without a dialect reads exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

#: every key, in the order ``checker explain`` shows them
KEYS = ("formats", "timezone", "thousands", "decimal_mark", "currency", "percent", "true", "false", "null",
        "normalize", "trim")
#: the special names ``formats`` may hold besides strptime spellings (and ``roc:<strptime>``)
FORMAT_NAMES = ("iso", "rfc3339", "excel-serial")
#: strptime directives a format may use (C's, as the engines read them); ``%%`` is a literal ``%``
DIRECTIVES = frozenset("YmdHMSfzpbjI")
#: directives that read a time of day (a ``date`` column tries only the formats without them)
TIME_DIRECTIVES = frozenset("HMSfzpI")
#: white space ``trim`` removes: ASCII's, the no-break space and the ideographic space (U+3000)
TRIMMED = " \t\r\n\x0b\x0c\u00a0\u3000"


@dataclass(frozen=True)
class Dialect:
    """One layer of an export dialect; ``None`` is a key left unset (the layer below decides)."""

    formats: tuple[str, ...] | None = None
    timezone: str | None = None
    thousands: str | None = None
    decimal_mark: str | None = None
    currency: tuple[str, ...] | None = None
    percent: bool | None = None
    true: tuple[str, ...] | None = None
    false: tuple[str, ...] | None = None
    null: tuple[str, ...] | None = None
    normalize: str | None = None
    trim: bool | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Dialect:
        """A layer from a checked dialect object (:func:`checker.load.dialects.check_dialect`)."""
        values: dict[str, Any] = {}
        for key in KEYS:
            if key in data:
                value = data[key]
                values[key] = tuple(str(v) for v in value) if isinstance(value, list) else value
        return cls(**values)

    def over(self, below: Dialect | None) -> Dialect:
        """This layer merged over ``below``: each key set here wins."""
        if below is None:
            return self
        return replace(below, **{f.name: getattr(self, f.name) for f in fields(self)
                                 if getattr(self, f.name) is not None})

    @property
    def is_default(self) -> bool:
        """Nothing is read differently from a schema without a dialect."""
        return all(getattr(self, k) in (None, getattr(EFFECTIVE_DEFAULT, k)) for k in KEYS)

    # -- the effective values ---------------------------------------------------------------------------

    @property
    def zone(self) -> str:
        return self.timezone or "UTC"

    @property
    def format_list(self) -> tuple[str, ...]:
        return self.formats or ("iso",)

    @property
    def nulls(self) -> tuple[str, ...]:
        """Spellings of null besides the empty cell (which is always null)."""
        return tuple(s for s in (self.null or ()) if s != "")

    @property
    def reads_numbers(self) -> bool:
        """Numbers are spelled otherwise than in JSON's grammar."""
        return bool(self.thousands or (self.decimal_mark not in (None, ".")) or self.currency or self.percent)

    @property
    def prepares(self) -> bool:
        """The text is changed before it is read (normalised, trimmed or a null spelling)."""
        return bool(self.normalize or self.trim or self.nulls)

    def shown(self) -> dict[str, Any]:
        """The keys set, as a plain mapping (``checker explain``)."""
        out: dict[str, Any] = {}
        for key in KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


DEFAULT = Dialect()
#: the values an unset key stands for (what "Reading text" reads without a dialect)
EFFECTIVE_DEFAULT = Dialect(formats=("iso",), timezone="UTC", decimal_mark=".", currency=(), percent=False,
                            null=("",), trim=False)


_APPLIES = {"formats": ("DATE", "TIMESTAMP"), "timezone": ("TIMESTAMP",),
            "thousands": ("BIGINT", "DOUBLE", "DECIMAL"), "decimal_mark": ("BIGINT", "DOUBLE", "DECIMAL"),
            "currency": ("BIGINT", "DOUBLE", "DECIMAL"), "percent": ("BIGINT", "DOUBLE", "DECIMAL"),
            "true": ("BOOLEAN",), "false": ("BOOLEAN",)}


def applies(key: str, sql_type: str) -> bool:
    """Whether a dialect key changes how a column stored as ``sql_type`` is read (``null``, ``normalize``
    and ``trim`` change every column's; the others only their own type's: a column of several types
    (ANY) reads its text with ``null``, ``normalize`` and ``trim`` only)."""
    kinds = _APPLIES.get(key)
    return kinds is None or sql_type.split("(")[0] in kinds


def directives(fmt: str) -> list[str]:
    """The directives of a strptime spelling, in order (``%%`` is not one); a trailing lone ``%`` is ``''``."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            code = fmt[i + 1:i + 2]
            if code != "%":
                out.append(code)
            i += 2
        else:
            i += 1
    return out


def strptime_of(fmt: str) -> str | None:
    """The strptime spelling of a ``formats`` entry (``roc:`` stripped), None for a special name."""
    if fmt in FORMAT_NAMES:
        return None
    return fmt[len("roc:"):] if fmt.startswith("roc:") else fmt
