"""Exports -> engine tables, with every record accounted for.

Every dataset becomes one table in the layout :mod:`checker.sql.layout` describes (record
number, shape code, typed columns and their evidence).  A value that does not convert is NULL
in its column and kept as evidence, never a dropped record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from checker import codes
from checker.i18n import Msg, _
from checker.model.dataset import DatasetSchema
from checker.model.dialect import Dialect
from checker.problems import Problem, Span, did_you_mean
from checker.sql.layout import ROW, SHAPE, ColumnSource, TableLayout, bad_column, fmt_column, miss_column
from checker.sql.text import qi
from checker.sql.values import conversion, reading_steps


@dataclass(kw_only=True)
class Loaded(TableLayout):
    """A dataset loaded into the engine: its table's layout, where it came from and what was noted."""

    display: str
    format: str
    sha256: str
    rows: int
    encoding: str | None = None
    notes: list[Problem] = field(default_factory=list)
    #: where lines mean something: a record's line is its row + ``line_offset`` (every record one
    #: line), or is looked up in ``line_source`` (a UTF-8 CSV and its delimiter: records span lines)
    line_offset: int | None = None
    line_source: tuple[Path, str] | None = None
    #: lines of the UTF-8 file the engine read (``line_source``), where already counted on the way
    file_lines: int | None = None
    #: the export's own dialect (``datasets.yaml``), read over each column's
    dialect: Dialect | None = None

    def lines_of(self, rows: set[int]) -> dict[int, int]:
        """Record number -> the line of the file where the record starts, for these records."""
        if self.line_offset is not None:
            return {r: r + self.line_offset for r in rows}
        if self.line_source is not None and rows:
            from checker.load.readers import record_lines

            return record_lines(*self.line_source, rows)
        return {}


class HeaderMap:
    """Maps the header names an export uses to schema columns (exact name, then x-aliases, then case/space)."""

    def __init__(self, schema: DatasetSchema):
        self.schema = schema
        self.names = list(schema.columns)
        self.width = len(self.names)
        self._exact: dict[str, int] = {}
        self._loose: dict[str, int] = {}
        for i, col in enumerate(schema.columns.values()):
            for name in (col.name, *col.aliases):
                self._exact.setdefault(name, i)
                self._loose.setdefault(_loose(name), i)

    def __call__(self, header: str) -> int | None:
        if header in self._exact:
            return self._exact[header]
        return self._loose.get(_loose(header))

    def suggest(self, header: str) -> Msg | None:
        return did_you_mean(header, list(self._exact))

    def map(self, header: list[str], display: str) -> tuple[list[int | None], list[Problem]]:
        out: list[int | None] = []
        notes: list[Problem] = []
        seen: dict[int, str] = {}
        for h in header:
            idx = self(h)
            if idx is not None and idx in seen:
                notes.append(Problem(Span(display, 1, 1), codes.D406,
                                     _("headers '{first}' and '{header}' both name column '{column}'; "
                                       "'{header}' ignored", first=seen[idx], header=h, column=self.names[idx]),
                                     level="warning"))
                idx = None
            elif idx is None and h:
                notes.append(Problem(Span(display, 1, 1), codes.D406,
                                     _("header '{header}' is not a column of {dataset}; ignored", header=h,
                                       dataset=self.schema.name),
                                     level="warning", hint=self.suggest(h)))
            if idx is not None:
                seen[idx] = h
            out.append(idx)
        return out, notes


def _loose(name: str) -> str:
    return "".join(name.split()).lower().replace("_", "").replace("-", "")


def column_sources(schema: DatasetSchema, mapping: list[int | None], kind: str,
                   raw_name: Callable[[int], str] = lambda pos: f"c{pos}",
                   native: dict[int, str] | None = None, dialect: Dialect | None = None) -> list[ColumnSource]:
    """How each schema column is read, given which file column (position) maps to which schema column;
    ``dialect`` is the export's own (``datasets.yaml``), merged over each column's."""
    by_col: dict[int, int] = {}
    for pos, idx in enumerate(mapping):
        if idx is not None:
            by_col[idx] = pos
    out = []
    for i, col in enumerate(schema.columns.values()):
        at = by_col.get(i)
        out.append(ColumnSource(col, i, raw_name(at) if at is not None else None, kind,
                                (native or {}).get(at) if at is not None else None,
                                dialect.over(col.dialect) if dialect else col.dialect))
    return out


def typed_query(sources: list[ColumnSource], row_expr: str, shape_expr: str, relation: str) -> str:
    """SELECT that turns the raw columns of ``relation`` into typed columns plus evidence.

    The inner query converts each value once; the outer one derives the evidence from it.  Rows
    keep the relation's order (every loader reads in record order; DuckDB keeps insertion order).
    """
    inner = [f"{row_expr} AS {ROW}", f"{shape_expr} AS {SHAPE}"]
    outer = [ROW, SHAPE]
    raws: set[str] = set()
    levels: list[list[str]] = []   # the dialect's reading steps, one level each, below the conversion
    for src in sources:
        if src.raw is not None:
            for depth, (name, sql) in enumerate(reading_steps(src, qi(src.raw))):
                while len(levels) <= depth:
                    levels.append([])
                levels[depth].append(f"{sql} AS {qi(name)}")
    if levels:
        base = ", ".join([f"{row_expr} AS {ROW}", f"{shape_expr} AS {SHAPE}"]
                         + sorted({qi(s.raw) for s in sources if s.raw is not None}))
        relation = f"(SELECT {base} FROM {relation})"
        for level in levels:
            relation = f"(SELECT *, {', '.join(level)} FROM {relation})"
        inner = [ROW, SHAPE] + [item.rsplit(" AS ", 1)[1] for level in levels for item in level]
    for src in sources:
        col, i = src.column, src.index
        sql_type = "JSON" if col.sql_type == "ANY" and src.kind == "json" else (
            "VARCHAR" if col.sql_type == "ANY" else col.sql_type)
        if src.raw is None:
            outer.append(f"CAST(NULL AS {sql_type}) AS {qi(col.name)}")
            continue
        raw = qi(src.raw)
        v = qi(f"__v_{i}")
        value, bad, fmt = conversion(src, raw, v)
        if src.kind == "json":
            outer.append(f"{raw} IS NULL AS {qi(miss_column(i))}")
        if raw not in raws:
            inner.append(raw)
            raws.add(raw)
        inner.append(f"{value} AS {v}")
        outer.append(f"{v} AS {qi(col.name)}")
        if bad is not None:  # no column where no value can be of the wrong type (text read as VARCHAR)
            outer.append(f"{bad} AS {qi(bad_column(i))}")
        if fmt is not None:
            outer.append(f"{fmt} AS {qi(fmt_column(i))}")
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {relation})"
