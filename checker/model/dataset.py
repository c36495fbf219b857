"""Dataset schemas: a flat record model read from a JSON Schema (draft 2020-12).

A dataset schema is an object schema whose ``properties`` are the columns.  The
project's annotations: ``x-key`` (columns that identify a record), ``x-record-date``
(the column that dates a record), ``x-pii`` (personal data, masked in reports),
``x-aliases`` (other header names), ``x-decimal: [precision, scale]`` (DECIMAL
instead of DOUBLE for a number column), ``x-dialect`` (how exports spell the values:
:mod:`checker.model.dialect`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.model.dialect import DEFAULT, Dialect
from checker.problems import Span

#: Validation keywords compiled into structural checks, in the order results list them.
CHECKED_KEYWORDS = ("required", "type", "enum", "const", "pattern", "minimum", "maximum",
                    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "format")
#: Keywords that only annotate a property.
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "deprecated",
                         "readOnly", "writeOnly", "x-pii", "x-aliases", "x-decimal", "x-title", "x-dialect"})
#: Formats that are checked (others are refused, never silently ignored).
CHECKED_FORMATS = ("date", "date-time", "email")
JSON_TYPES = ("null", "boolean", "integer", "number", "string")


@dataclass(frozen=True)
class Column:
    name: str
    types: frozenset[str]          # JSON types admitted, without "null"
    nullable: bool                 # null admitted (always, when no type is declared)
    sql_type: str                  # BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMP, VARCHAR or ANY
    format: str | None = None
    keywords: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    pii: bool = False
    aliases: tuple[str, ...] = ()
    span: Span | None = None
    typed: bool = False            # the property declares a ``type`` (``"type": "null"`` admits null only)
    dialect: Dialect = DEFAULT     # how an export spells its values: the schema's x-dialect, the property's over it

    @property
    def is_any(self) -> bool:
        """True for a column whose values may be of several JSON types."""
        return self.sql_type == "ANY"

    @property
    def numeric(self) -> bool:
        return self.sql_type in ("BIGINT", "DOUBLE") or self.sql_type.startswith("DECIMAL")


@dataclass(frozen=True)
class DatasetSchema:
    name: str                      # <domain>.<name>
    path: str
    columns: dict[str, Column]
    key: tuple[str, ...] = ()
    record_date: str | None = None
    title: dict[str, str] = field(default_factory=dict)
    sha256: str = ""

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]

    def column(self, name: str) -> Column | None:
        return self.columns.get(name)

    @property
    def pii_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns.values() if c.pii)


def sql_type_for(types: frozenset[str], fmt: str | None, decimal: tuple[int, int] | None) -> str:
    """Map the JSON types of a property to the engine type its values are stored as."""
    if types == {"integer"}:
        return "BIGINT"
    if types in ({"number"}, {"integer", "number"}):
        return f"DECIMAL({decimal[0]},{decimal[1]})" if decimal else "DOUBLE"
    if types == {"boolean"}:
        return "BOOLEAN"
    if types == {"string"}:
        if fmt == "date":
            return "DATE"
        if fmt == "date-time":
            return "TIMESTAMP"
        return "VARCHAR"
    return "ANY"
