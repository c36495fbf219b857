"""What both engines share: the format dispatch, CSV transcoding, and mapping JSON keys to columns.

An engine implements ``_load_csv``, ``_load_jsonl`` (False to fall back to the checker's
own JSON reader), ``_load_parquet`` and ``_load_raw`` (a :class:`readers.RawTable` read
in Python: JSON arrays, Excel sheets, CSV files read record by record).
"""

from __future__ import annotations

from pathlib import Path

from checker.engine.loading import HeaderMap, Loaded
from checker.load import readers
from checker.load.sources import Source
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError, Problem, Span

#: Python codec names the engines' CSV readers decode themselves.
NATIVE_ENCODINGS = {"utf-8", "utf8", "utf-8-sig"}


class FileLoading:
    _tmp: object  # a tempfile.TemporaryDirectory

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
            raise CheckerError([Problem(Span(source.display), "D405", f"unknown data format '{source.format}'")])

    def _utf8_csv(self, source: Source, loaded: Loaded) -> Path:
        """The CSV as UTF-8: the file itself, or a transcoded copy (undecodable bytes become U+FFFD, said so)."""
        encoding = (source.encoding or readers.detect_encoding(source.path)).lower()
        loaded.encoding = encoding
        if encoding in NATIVE_ENCODINGS:
            return source.path
        utf8 = Path(self._tmp.name) / f"{loaded.table}.csv"
        replaced = readers.transcode_to_utf8(source.path, utf8, encoding, source.display)
        if replaced:
            loaded.notes.append(Problem(Span(source.display), "D403",
                                        f"{replaced} byte sequences are not valid {encoding}; "
                                        "they were read as U+FFFD", level="warning",
                                        hint="check the encoding in datasets.yaml"))
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
                loaded.notes.append(Problem(Span(source.display), "D406",
                                            f"key '{key}' is not a column of the schema; ignored in {count} records",
                                            level="warning", hint=hmap.suggest(key)))
            else:
                by_column.setdefault(idx, []).append(key)
        return by_column

    # implemented by each engine
    def _load_csv(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        raise NotImplementedError

    def _load_jsonl(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> bool:
        raise NotImplementedError

    def _load_parquet(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        raise NotImplementedError

    def _load_raw(self, schema: DatasetSchema, raw: readers.RawTable, mapping: list[int | None],
                  loaded: Loaded) -> None:
        raise NotImplementedError
