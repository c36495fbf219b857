"""What every file-reading engine shares: the format dispatch, read errors, CSV transcoding, JSON keys
to columns.  (The whole interface an engine offers the checker is :class:`checker.engine.api.Engine`.)

An engine implements ``_load_csv``, ``_load_jsonl`` (False to fall back to the checker's
own JSON reader), ``_load_parquet``, ``_load_raw`` (a :class:`readers.RawTable` read in
Python: JSON arrays, Excel sheets, CSV files read record by record) and ``close``, and
names its exception classes in ``Error``.
"""

from __future__ import annotations

import hashlib
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from checker import codes
from checker.engine.loading import HeaderMap, Loaded
from checker.i18n import _, _n, num
from checker.load import readers
from checker.load.sources import Source
from checker.load.transcode import transcode
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError, Problem, Span
from checker.scrub import first_line

#: Python codec names the engines' CSV readers decode themselves.
NATIVE_ENCODINGS = {"utf-8", "utf8", "utf-8-sig"}


class FileLoading(ABC):
    _tmp: tempfile.TemporaryDirectory[str]
    Error: type[BaseException] | tuple[type[BaseException], ...]

    @abstractmethod
    def close(self) -> None:
        """Release the engine and its temporary files."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _reading(self, schema: DatasetSchema, source: Source) -> Iterator[None]:
        """An engine or file error while reading an export is a D403 problem at the file, not a traceback."""
        try:
            yield
        except self.Error as exc:
            first = first_line(exc)              # engines quote the value they failed on: no record values
            raise CheckerError([Problem(Span(source.display), codes.D403,
                                        _("cannot read {format} export for {dataset}: {error}",
                                          format=source.format, dataset=schema.name, error=first))]) from None
        except (OSError, UnicodeError) as exc:
            raise CheckerError([Problem(Span(source.display), codes.D403,
                                        _("cannot read export for {dataset}: {error}", dataset=schema.name,
                                          error=str(exc)))]) from None

    def _settle_lines(self, loaded: Loaded) -> None:
        """After a load (rows counted): where each record's line is.

        A JSON Lines record's row is its line, and a sheet's data row n is row n + 1.  A CSV whose file
        has one line per record plus its header has every record on one line (line = row + 1); one
        with records across lines (quoted line breaks) or blank lines has them looked up in the file.
        The lines are counted while the file is hashed or transcoded, or else here.
        """
        if loaded.format == "jsonl":
            loaded.line_offset = 0
        elif loaded.format == "xlsx" or (loaded.format == "csv" and loaded.line_source is not None
                                         and self._file_lines(loaded) == loaded.rows + 1):
            loaded.line_offset = 1

    @staticmethod
    def _file_lines(loaded: Loaded) -> int:
        """Lines of the UTF-8 CSV the engine reads (``loaded.line_source``), counted once."""
        if loaded.file_lines is None:
            assert loaded.line_source is not None, "lines are counted only for a CSV the engine reads as UTF-8"
            loaded.file_lines = count_lines(loaded.line_source[0])
        return loaded.file_lines

    def _read(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        if source.format == "csv":
            self._load_csv(schema, source, loaded)
        elif source.format == "jsonl" and self._load_jsonl(schema, source, loaded):
            pass
        elif source.format in ("jsonl", "json"):
            hmap = HeaderMap(schema)
            raw = readers.read_json(source.path, source.format, source.display, hmap)
            loaded.notes.extend(raw.notes)
            self._load_raw(schema, raw, list(range(len(schema.columns))), loaded)
        elif source.format == "xlsx":
            raw = readers.read_xlsx(source.path, source.sheet, source.display)
            mapping, notes = HeaderMap(schema).map(raw.header, source.display)
            loaded.notes.extend(notes)
            self._load_raw(schema, raw, mapping, loaded)
        elif source.format == "parquet":
            self._load_parquet(schema, source, loaded)
        else:  # discover() already refuses other formats
            raise CheckerError([Problem(Span(source.display), codes.D405,
                                        _("unknown data format '{format}'", format=source.format))])

    def _utf8_csv(self, source: Source, loaded: Loaded) -> Path:
        """The CSV as UTF-8: the file itself, or a transcoded copy (undecodable bytes become U+FFFD, said so)."""
        encoding = (source.encoding or readers.detect_encoding(source.path)).lower()
        loaded.encoding = encoding
        if encoding in NATIVE_ENCODINGS:
            return source.path
        utf8 = Path(self._tmp.name) / f"{loaded.table}.csv"
        replaced, loaded.file_lines = transcode(source.path, utf8, encoding)
        if replaced:
            loaded.notes.append(Problem(Span(source.display), codes.D411,
                                        _n("{n} byte sequence is not valid {encoding}; it was read as U+FFFD",
                                           "{n} byte sequences are not valid {encoding}; they were read as U+FFFD",
                                           replaced, n=replaced, encoding=encoding), level="warning",
                                        hint=_("check the encoding in datasets.yaml")))
        return utf8

    @staticmethod
    def _json_columns(schema: DatasetSchema, keys: list[tuple[str, int]], source: Source,
                      loaded: Loaded) -> dict[int, list[str]]:
        """Column index -> the record keys that name it; a warning per key that names no column."""
        hmap = HeaderMap(schema)
        by_column: dict[int, list[str]] = {}
        for key, count in keys:
            idx = hmap(key)
            if idx is None:
                loaded.notes.append(Problem(Span(source.display), codes.D406,
                                            _n("key '{key}' is not a column of the schema; ignored in {n} record",
                                               "key '{key}' is not a column of the schema; ignored in {n} records",
                                               count, key=key, n=num(count)),
                                            level="warning", hint=hmap.suggest(key)))
            else:
                by_column.setdefault(idx, []).append(key)
        return by_column

    # implemented by each engine
    @abstractmethod
    def _load_csv(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        """A CSV export into ``loaded.table``."""

    @abstractmethod
    def _load_jsonl(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> bool:
        """A JSON Lines export into ``loaded.table``; False to have the checker's own reader read it instead."""

    @abstractmethod
    def _load_parquet(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        """A Parquet export into ``loaded.table``."""

    @abstractmethod
    def _load_raw(self, schema: DatasetSchema, raw: readers.RawTable, mapping: list[int | None],
                  loaded: Loaded) -> None:
        """Records read in Python (``raw``, its columns mapped to the schema's by ``mapping``) into ``loaded.table``."""



def scan_file(path: Path, digest: bool = True, lines: bool = True) -> tuple[str, int | None]:
    """(sha256 or '', lines or None) of a file in one read: lines as a text editor counts them, at each 0x0A."""
    sha = hashlib.sha256()
    feeds = 0
    last = b"\n"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            if digest:
                sha.update(chunk)
            if lines:
                feeds += chunk.count(b"\n")
                last = chunk[-1:]
    return (sha.hexdigest() if digest else ""), (feeds + (last != b"\n") if lines else None)


def count_lines(path: Path) -> int:
    return scan_file(path, digest=False)[1] or 0
