"""The layout of a loaded dataset's table: what compile plans against and every engine loads into.

Every dataset becomes one table holding, per record: ``__row`` (1-based record number in the
file), ``__shape`` (a ragged or unreadable record's shape code, else NULL), each schema column
converted to its engine type, and per column the evidence the structural checks need:
``__bad_<i>`` (the raw text of a value of the wrong type; absent where no value can be of the
wrong type, such as text read into a VARCHAR column), ``__fmt_<i>`` (the raw text of a string
that is not a valid date/date-time) and ``__miss_<i>`` (the key is absent from a JSON record).

Which evidence columns exist follows from the schema and how each column is read
(:class:`ColumnSource`: absent from the file, text, JSON or a native Parquet type), so the
structural checks are planned from a :class:`TableLayout`, never from an engine's objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.model.dataset import Column, DatasetSchema
from checker.model.dialect import DEFAULT, Dialect
from checker.sql.text import qi

#: the record number (1-based, as in the file)
ROW = "__row"
#: a record that could not be read whole: its shape code (``extra:F:W``, ``json:array``, …), else NULL
SHAPE = "__shape"
#: a physical row id (``__row = __rid + 1``) where the engine keeps one
RID = "__rid"


def bad_column(index: int) -> str:
    """The raw text of a value of the wrong type in column ``index``."""
    return f"__bad_{index}"


def fmt_column(index: int) -> str:
    """The raw text of a string in column ``index`` that is no valid date or date-time."""
    return f"__fmt_{index}"


def miss_column(index: int) -> str:
    """TRUE where a JSON record has no key for column ``index``."""
    return f"__miss_{index}"


@dataclass
class ColumnSource:
    """How one schema column is read from a file."""

    column: Column
    index: int
    raw: str | None           # raw column name in the source relation, None if absent from the file
    kind: str                 # text | json | native
    native_type: str | None = None
    dialect: Dialect = DEFAULT  # how the export spells values: the column's, this export's over it


@dataclass
class TableLayout:
    """A dataset's table: its name, how each column is read, whether it keeps physical row ids."""

    schema: DatasetSchema
    table: str
    sources: dict[str, ColumnSource] = field(default_factory=dict)
    #: the table has ``__rid``, a physical row id with ``__row = __rid + 1``: looking records up by it
    #: reads only their row groups, where a filter on a computed ``__row`` would read every record
    row_ids: bool = False

    def rows_where(self, alias: str, rows: list[int]) -> str:
        """SQL: the record is one of ``rows`` (record numbers), as cheaply as the table allows."""
        prefix = f"{alias}." if alias else ""
        if self.row_ids:
            return f"{prefix}{RID} IN ({', '.join(str(int(r) - 1) for r in rows)})"
        return f"{prefix}{ROW} IN ({', '.join(str(int(r)) for r in rows)})"

    def has(self, col: str, flag: str) -> bool:
        """Whether the table has column ``col``'s evidence ``flag`` (``miss``, ``fmt`` or ``bad``)."""
        from checker.sql.values import conversion

        src = self.sources[col]
        if src.raw is None:
            return False
        if flag == "miss":
            return src.kind == "json"
        if flag == "fmt":
            return src.column.sql_type in ("DATE", "TIMESTAMP") and not (
                src.kind == "native" and src.native_type != "VARCHAR")
        if flag == "bad":
            return conversion(src, "r", "v")[1] is not None
        raise ValueError(flag)

    def missing_expr(self, col: str, alias: str) -> str:
        """SQL: the column is absent from this record."""
        src = self.sources[col]
        if src.raw is None:
            return "TRUE"
        if src.kind == "json":
            return f"{alias}.{qi(miss_column(src.index))}"
        return "FALSE"
