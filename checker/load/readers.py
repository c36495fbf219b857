"""Python-side readers for exports DuckDB cannot read directly, or not exactly.

Each returns a :class:`RawTable`: the header (as written in the file), one list of
values per header position, the 1-based record number of each record, and a
shape problem per record (or None).  CSV and XLSX values are text (or None for an
empty cell); JSON values are JSON text (None when the key is absent).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import codes
from checker.i18n import _, _n, num
from checker.problems import CheckerError, Problem, Span

SAMPLE_BYTES = 1 << 20

#: The longest CSV field (and, for DuckDB, line) any reader takes, in characters: 16 MiB.
MAX_FIELD = 1 << 24
#: The deepest nesting of arrays and objects a JSON export, JSON Lines record or result file may have.
MAX_JSON_DEPTH = 100

csv.field_size_limit(MAX_FIELD)


@dataclass
class RawTable:
    header: list[str]
    columns: list[list[Any]]
    rows: list[int]
    shapes: list[str | None]
    kind: str = "text"                       # text | json
    notes: list[Problem] = field(default_factory=list)

    def to_arrow(self, names: list[str]):
        import pyarrow as pa

        arrays = {n: pa.array(col, pa.string()) for n, col in zip(names, self.columns, strict=True)}
        arrays["__row"] = pa.array(self.rows, pa.int64())
        arrays["__shape"] = pa.array(self.shapes, pa.string())
        return pa.table(arrays)


# -- encodings -------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """utf-8-sig / utf-8 when the file decodes as UTF-8, else charset-normalizer's best guess."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = (best.encoding if best else "gb18030").lower().replace("_", "-")
    # GB2312 and GBK are subsets of GB18030: decode with the superset.
    if guess in ("gb2312", "gbk", "gb18030", "hz"):
        return "gb18030"
    if guess.startswith("big5") or guess == "cp950":
        return "big5hkscs" if guess == "big5hkscs" else "big5"
    return guess


# -- CSV -----------------------------------------------------------------------------------

def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextmanager
def _csv_errors(display: str, reader_at: Callable[[], int]) -> Iterator[None]:
    """A csv module error (a field over :data:`MAX_FIELD`) is a D403 problem at the line it stands on."""
    try:
        yield
    except csv.Error as exc:
        line = reader_at()
        raise CheckerError([Problem(Span(display, line), codes.D403,
                                    _("cannot read the CSV file: {reason}", reason=str(exc)),
                                    hint=_("a field may hold at most {n} characters; "
                                           "check for a quote that is never closed", n=num(MAX_FIELD)))]) from None


def read_header(path: Path, delimiter: str | None, display: str | None = None) -> tuple[list[str], str]:
    """The header of a UTF-8 CSV file and its delimiter (D403 for a header field over :data:`MAX_FIELD`)."""
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as fh:
        first = fh.readline(MAX_FIELD)
        delim = delimiter or sniff_delimiter(first)
        fh.seek(0)
        if fh.read(1) != "\ufeff":
            fh.seek(0)
        reader = csv.reader(fh, delimiter=delim)
        with _csv_errors(display or str(path), lambda: reader.line_num):
            header = next(reader, [])
    return [h.strip() for h in header], delim


def parse_csv_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


def read_csv_exact(path: Path, delimiter: str, display: str) -> RawTable:
    """Read a UTF-8 CSV record by record (exact record numbers, ragged rows kept).

    Lines may end in LF, CRLF or a lone CR, mixed in one file.  A field over :data:`MAX_FIELD`
    characters is a D403 problem at its line.
    """
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        with _csv_errors(display, lambda: reader.line_num):
            return _exact_records(reader)


def _exact_records(reader) -> RawTable:
    header = [h.strip() for h in next(reader, [])]
    width = len(header)
    columns: list[list[Any]] = [[] for _i in range(width)]
    rows, shapes = [], []
    n = 0
    for record in reader:
        if not record:
            continue
        n += 1
        rows.append(n)
        shapes.append(shape_problem(len(record), width))
        for i in range(width):
            value = record[i] if i < len(record) else None
            columns[i].append(value if value != "" else None)
    return RawTable(header, columns, rows, shapes)


def record_lines(path: Path, delimiter: str, rows: set[int]) -> dict[int, int]:
    """The line where each of these records starts, records numbered as :func:`read_csv_exact` numbers them.

    For a CSV whose records span lines (quoted line breaks) or that has blank lines; reads up to the
    last record asked for.
    """
    out: dict[int, int] = {}
    last = max(rows)
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as fh, \
            _csv_errors(str(path), lambda: 0):
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)
        n = 0
        start = reader.line_num + 1
        for record in reader:
            if record:
                n += 1
                if n in rows:
                    out[n] = start
                if n >= last:
                    break
            start = reader.line_num + 1
    return out


# A record's shape problem is written as a code in no language (``__shape``); the structural
# check's message says what it means, in the report's language
# (:func:`checker.compile.structural.shape_message`).

def shape_problem(fields: int, width: int) -> str | None:
    """``extra:F:W`` or ``missing:F:W`` for a record of F fields under a header of W, else None."""
    if fields == width:
        return None
    return f"{'extra' if fields > width else 'missing'}:{fields}:{width}"


#: a JSON value's type as the shape codes name it (Python's, DuckDB's and Spark's names alike)
JSON_TYPES = {"list": "array", "array": "array", "str": "string", "varchar": "string", "string": "string",
              "int": "number", "float": "number", "bigint": "number", "ubigint": "number", "double": "number",
              "decimal": "number", "integer": "number", "bool": "boolean", "boolean": "boolean",
              "nonetype": "null", "null": "null"}


def json_shape(type_name: str) -> str:
    """``json:<type>``: a record that is valid JSON but not an object."""
    return f"json:{JSON_TYPES.get(type_name.lower(), 'value')}"


# -- XLSX ----------------------------------------------------------------------------------

def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_xlsx(path: Path, sheet: str | None, display: str) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise CheckerError([Problem(Span(display), codes.D403,
                                    _("cannot read the workbook: {reason}", reason=str(exc)))]) from None
    names = book.sheet_names
    if sheet is None:
        if not names:
            raise CheckerError([Problem(Span(display), codes.D403, _("the workbook has no sheets"))])
        sheet = names[0]
    elif sheet not in names:
        from checker.problems import did_you_mean
        raise CheckerError([Problem(Span(display), codes.D403, _("the workbook has no sheet '{sheet}'", sheet=sheet),
                                    hint=did_you_mean(sheet, names) or _("sheets: {names}", names=", ".join(names)))])
    try:
        data = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # a corrupt sheet part shows only when it is read
        raise CheckerError([Problem(Span(display), codes.D403,
                                    _("cannot read sheet '{sheet}' of the workbook: {reason}", sheet=sheet,
                                      reason=str(exc)),
                                    hint=_("open and save it again in Excel, or export it as CSV"))]) from None
    if not data:
        return RawTable([], [], [], [])
    header = [(_cell_text(h) or "").strip() for h in data[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    columns: list[list[Any]] = [[] for _i in range(width)]
    rows, shapes = [], []
    for n, record in enumerate(data[1:], start=1):
        cells = [_cell_text(v) for v in record]
        if not any(c is not None for c in cells):
            continue  # an empty sheet row is not a record
        rows.append(n)
        used = max((i + 1 for i, c in enumerate(cells) if c is not None), default=0)
        shapes.append(shape_problem(used, width) if used > width else None)
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else None)
    return RawTable(header, columns, rows, shapes)


# -- JSON ----------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_OPEN_CLOSE = str.maketrans("[{]}", "(())")


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does this JSON text nest arrays and objects more than ``limit`` levels deep?

    Brackets inside strings do not count.  Each pass removes every innermost pair, so the passes
    needed are the depth; all of it in C string operations, however long the text.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_OPEN_CLOSE)
    for _i in range(limit):
        if "()" not in brackets:
            return False
        brackets = brackets.replace("()", "")
    return "()" in brackets


class LongNumber:
    """An integer too long for Python to convert, kept as its JSON text (a data value, compared as written)."""

    def __init__(self, text: str):
        self.text = text


def _int_or_long(text: str) -> int | LongNumber:
    return int(text) if len(text.lstrip("-")) <= sys.get_int_max_str_digits() else LongNumber(text)


def _json_text(value: Any) -> str:
    """A parsed value as JSON text again; a :class:`LongNumber` as the digits it was written with."""
    if isinstance(value, LongNumber):
        return value.text
    return json.dumps(value, ensure_ascii=False, default=lambda v: v.text)


def parse_json(text: str, long_numbers: bool = False) -> Any:
    """``json.loads`` within the explicit limits: ValueError (never RecursionError) beyond them.

    Nesting deeper than :data:`MAX_JSON_DEPTH` is refused with a message that says so, and so are
    integers longer than Python converts (``sys.get_int_max_str_digits()``, 4,300 digits) unless
    ``long_numbers`` keeps them as :class:`LongNumber`.  JSON syntax errors stay
    :class:`json.JSONDecodeError`.
    """
    if too_deep(text):
        raise ValueError(_("arrays and objects are nested more than {n} levels deep (the limit)", n=MAX_JSON_DEPTH))
    try:
        return json.loads(text, parse_int=_int_or_long) if long_numbers else json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:        # an integer too long to convert
        raise ValueError(_("a number has more than {n} digits (the limit)",
                           n=num(sys.get_int_max_str_digits()))) from None
    except RecursionError:    # not reached below the depth limit; kept so no traceback can escape
        raise ValueError(_("arrays and objects are nested too deeply")) from None


def _records_jsonl(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield n, parse_json(line, long_numbers=True), None
            except json.JSONDecodeError as exc:
                yield n, None, f"json:invalid:{exc.colno}"
            except ValueError:
                yield n, None, f"json:deep:{MAX_JSON_DEPTH}"


def _records_json(path: Path, display: str) -> Iterator[tuple[int, Any, str | None]]:
    try:
        data = parse_json(path.read_text(encoding="utf-8-sig", errors="replace"), long_numbers=True)
    except json.JSONDecodeError as exc:
        raise CheckerError([Problem(Span(display, exc.lineno, exc.colno), codes.D403,
                                    _("not valid JSON: {reason}", reason=exc.msg))]) from None
    except ValueError as exc:
        raise CheckerError([Problem(Span(display), codes.D403,
                                    _("cannot read the JSON export: {reason}",
                                      reason=exc.args[0] if exc.args else str(exc)),
                                    hint=_("or export it as JSON Lines (.jsonl): a record nested too deeply is "
                                           "then a violation of that record alone"))]) from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list):
        raise CheckerError([Problem(Span(display, 1, 1), codes.D403, _("a .json export must be an array of records"),
                                    hint=_("or use JSON Lines (.jsonl), one record per line"))])
    for n, record in enumerate(data, start=1):
        yield n, record, None


def read_json(path: Path, fmt: str, display: str, columns_for_key) -> RawTable:
    """Read JSON Lines or a JSON array; ``columns_for_key`` maps a record key to a column index or None."""
    records = _records_jsonl(path) if fmt == "jsonl" else _records_json(path, display)
    width = columns_for_key.width
    columns: list[list[Any]] = [[] for _i in range(width)]
    rows, shapes = [], []
    unknown: dict[str, int] = {}
    dumps = _json_text
    for n, record, problem in records:
        rows.append(n)
        values: list[Any] = [None] * width
        if problem is None and not isinstance(record, dict):
            problem = json_shape(type(record).__name__)
        if problem is None:
            for key, value in record.items():
                idx = columns_for_key(key)
                if idx is None:
                    unknown[key] = unknown.get(key, 0) + 1
                else:
                    values[idx] = dumps(value)
        else:
            values = ["null"] * width  # nothing readable: present-but-null, so only the shape is reported
        shapes.append(problem)
        for i in range(width):
            columns[i].append(values[i])
    table = RawTable(list(columns_for_key.names), columns, rows, shapes, kind="json")
    table.notes = [Problem(Span(display), codes.D406,
                           _n("key '{key}' is not a column of the schema; ignored in {n} record",
                              "key '{key}' is not a column of the schema; ignored in {n} records",
                              c, key=k, n=num(c)),
                           level="warning", hint=columns_for_key.suggest(k)) for k, c in sorted(unknown.items())]
    return table
