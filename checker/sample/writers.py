"""Writing exports the way real systems produce them: CSV (UTF-8, UTF-8 with BOM or
GB18030, English or Chinese headers), XLSX (a real workbook, XlsxWriter), JSON Lines, a
JSON array and Parquet. Big tables arrive as Arrow batches and are streamed; small ones
are lists of records.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from checker.sample.dialects import respell_arrow
from checker.sample.world import schema


def headers(dataset: str, chinese: bool) -> dict[str, str]:
    """Column -> header: the column name, or its first x-alias (the Chinese export header)."""
    props = schema(dataset)["properties"]
    return {col: (p.get("x-aliases", [col])[0] if chinese else col) for col, p in props.items()}


def columns(dataset: str) -> list[str]:
    return list(schema(dataset)["properties"])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, Decimal, int, float)):
        return str(value)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_records(path: Path, dataset: str, records: list[dict[str, Any]], fmt: str, *,
                  chinese: bool = False, encoding: str = "utf-8", sheet: str | None = None) -> Path:
    """Write small tables (lists of records) in one of the export formats."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = columns(dataset)
    names = headers(dataset, chinese)
    if fmt == "csv":
        import csv

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([names[c] for c in cols])
        for r in records:
            writer.writerow([_text(r.get(c)) for c in cols])
        path.write_bytes(buf.getvalue().encode(encoding))
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for r in records:
                fh.write(json.dumps({c: _json(r.get(c)) for c in cols}, ensure_ascii=False) + "\n")
    elif fmt == "json":
        data = [{c: _json(r.get(c)) for c in cols} for r in records]
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        _xlsx(path, [names[c] for c in cols], ([r.get(c) for c in cols] for r in records), sheet)
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in records]), path)
    else:  # pragma: no cover - callers pass a literal
        raise ValueError(fmt)
    return path


def _xlsx(path: Path, header: list[str], rows: Iterable[list[Any]], sheet: str | None) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "default_date_format": "yyyy-mm-dd"})
    # a fixed creation date keeps the file byte-identical for a seed
    book.set_properties({"created": dt.datetime(2026, 1, 1)})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    for c, name in enumerate(header):
        ws.write_string(0, c, name, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, dt.datetime):  # pragma: no cover - no XLSX dataset has date-times
                ws.write_datetime(r, c, value)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), dates)
            elif isinstance(value, Decimal):
                ws.write_number(r, c, float(value), money_fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    book.close()


class StreamWriter:
    """Streams Arrow batches to CSV (any encoding, optional Chinese headers) or Parquet."""

    def __init__(self, path: Path, dataset: str, fmt: str, *, chinese: bool = False, encoding: str = "utf-8"):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.fmt, self.encoding = path, fmt, encoding
        self.cols = columns(dataset)
        self.names = headers(dataset, chinese)
        self._pq: pq.ParquetWriter | None = None
        self._fh = path.open("wb") if fmt == "csv" else None
        self._first = True
        self.rows = 0
        self.dataset = dataset

    def write(self, batch: pa.Table | pa.RecordBatch) -> None:
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        table = table.select(self.cols)
        self.rows += table.num_rows
        if self.fmt == "parquet":
            if self._pq is None:
                self._pq = pq.ParquetWriter(str(self.path), table.schema, compression="zstd")
            self._pq.write_table(table.cast(self._pq.schema))
            return
        table = respell_arrow(self.dataset, table)
        buf = io.BytesIO()
        if self._first:  # a plain header line, as spreadsheet exports write it
            buf.write((",".join(self.names[c] for c in self.cols) + "\n").encode("utf-8"))
            self._first = False
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        data = buf.getvalue()
        if self.encoding != "utf-8":
            data = data.decode("utf-8").encode(self.encoding)
        assert self._fh is not None
        self._fh.write(data)

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()
