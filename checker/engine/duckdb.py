"""The DuckDB engine: load exports into tables, then run compiled SQL.

Loading reads files, so it happens first; then :meth:`DuckDBEngine.lock` disables
external access and locks the configuration, and only SQL regenerated from checked
rule trees runs after that.  Every query (:meth:`DuckDBEngine.fetchall`, ``execute``,
``materialize``, ``explain``) passes the statement guard first, locked or not: one
statement, a SELECT, judged on DuckDB's own parse tree by
:func:`checker.engine.guard.check_duckdb_tree`, reading only the engine's own tables.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb
from sqlglot import exp

from checker import codes
from checker.codes import Code
from checker.engine import guard
from checker.engine.base import NATIVE_ENCODINGS, FileLoading, scan_file
from checker.engine.loading import ColumnSource, HeaderMap, Loaded, column_sources, typed_query
from checker.i18n import _
from checker.load import readers
from checker.load.sources import Source
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError, Problem, Span
from checker.sql.layout import ROW, SHAPE
from checker.sql.spelling import NFKC
from checker.sql.text import DIALECT, qi, ql

if TYPE_CHECKING:
    from checker.engine.api import EngineSettings


def frame_sha256(frame: Any) -> str:
    """The SHA-256 of an Arrow table's IPC stream, written through the hash (never held whole)."""
    import hashlib

    import pyarrow as pa

    digest = hashlib.sha256()

    class _Sink:
        closed = False

        def write(self, data: Any) -> int:
            digest.update(data)
            return len(data)

        def flush(self) -> None:
            return None

        def close(self) -> None:
            self.closed = True

    with pa.ipc.new_stream(pa.PythonFile(_Sink(), mode="w"), frame.schema) as writer:
        writer.write_table(frame)
    return digest.hexdigest()


def _nfkc(values: Any) -> Any:
    """Unicode NFKC of an Arrow array of strings (an export dialect's ``normalize: nfkc``); nulls stay null."""
    import pyarrow.compute as pc

    return pc.utf8_normalize(values, form="NFKC")

class DuckDBEngine(FileLoading):
    """DuckDB in-process: the dialect rules are written in, so every checked rule runs as written."""

    name: ClassVar[str] = "duckdb"
    label: ClassVar[str] = "DuckDB"
    dialect: ClassVar[str] = DIALECT
    refusal: ClassVar[Code | None] = None
    Error = duckdb.Error

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> DuckDBEngine:
        return cls(memory_limit=settings.memory_limit, threads=settings.threads, temp_dir=settings.spill_dir)

    @classmethod
    def available(cls) -> bool:
        return True

    @staticmethod
    def cannot_run(node: exp.Expression, typed: exp.Expression | None) -> None:
        return None

    @staticmethod
    def cannot_match(pattern: str) -> None:
        return None

    @staticmethod
    def as_run(sql: str) -> str:
        return sql

    def __init__(self, memory_limit: str | None = None, temp_dir: str | None = None, threads: int | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="checker-")
        config: dict[str, Any] = {"preserve_insertion_order": True}
        if threads:
            config["threads"] = threads
        self.con = duckdb.connect(":memory:", config=config)
        self._run("SET TimeZone = 'UTC'")
        self._nfkc = False                                 # the dialect's NFKC function is registered
        self._run("SET enable_progress_bar = false")  # DuckDB's own bar writes to stdout; the checker has its own
        self._run(f"SET temp_directory = {ql(temp_dir or os.path.join(self._tmp.name, 'spill'))}")
        self._disk_dir: str | None = temp_dir or self._tmp.name     # None once it proved unwritable
        self._disk: str | None = None                     # the database file of large exports, once attached
        if memory_limit:
            try:
                self._run(f"SET memory_limit = {ql(memory_limit)}")
            except duckdb.Error:
                self.close()
                raise CheckerError([Problem(Span("--memory-limit"), codes.D401,
                                            _("'{size}' is not a memory size", size=memory_limit),
                                            hint=_("e.g. 512MB, 1GB or 4GiB"))]) from None
        self._compress()
        self.locked = False
        self._n = 0
        self._tables: set[str] = set()                    # what queries may read: loaded tables, kept answers

    def _compress(self) -> None:
        """Keep the tables compressed in memory (DuckDB >= 1.2), each compressed by a CHECKPOINT once loaded.

        A 10M-record complaints export then takes ~130 MB instead of ~900 MB, so the datasets loaded
        after it, and the scans of the checks, fit under the memory limit instead of spilling
        (see :meth:`_compact`).  Measured on the 10M sample: compressing costs ~7 s, the checks get
        ~10 s faster.  Exports too large for that go to a database file instead (:meth:`_to_disk`).
        Older DuckDBs keep plain in-memory tables.
        """
        self._compressed = False
        self._limit: int | None = None                  # the memory limit in bytes, if DuckDB says it readably
        try:
            self._run("ATTACH ':memory:' AS checker_data (COMPRESS)")
            self._run("USE checker_data")
        except duckdb.Error:
            return
        self._compressed = True
        self._limit = _bytes(self._run("SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'")[0][0])

    def _to_disk(self, source: Source) -> bool:
        """Load this export into a database file in the spill folder (attached on first use)?

        A large export would be loaded uncompressed, spill while loading and be read back to be
        compressed.  Written to a database file, DuckDB compresses each row group as it fills:
        measured on the 10M-record complaints (1.6 GB of CSV, 355 MB as a table) 15 s, where loading
        in memory and compressing took 23 s, and on the 10M-record Parquet interactions (135 MB)
        5–5.6 s instead of 8–12 s.  Below about half the memory limit of CSV or JSON (a 500k-record
        CSV of 73 MB: 0.7 s in memory, 1.2 s into a file), or an eighth of it of Parquet or XLSX
        (compressed files, several times their size once loaded), memory is faster.  The file is
        removed when the engine closes.
        """
        if not self._compressed or self._limit is None or self._disk_dir is None or source.path is None:
            return False
        try:
            # text (CSV, JSON) takes about as much room loaded as on disk; Parquet and XLSX are compressed
            if source.path.stat().st_size < self._limit * (_DISK_SHARE_COMPRESSED if source.format in
                                                               ("parquet", "xlsx") else _DISK_SHARE_TEXT):
                return False
        except OSError:
            return False
        if self._disk is None:
            path = os.path.join(self._disk_dir, f"checker-{os.getpid()}-{id(self):x}.duckdb")
            try:
                self._run(f"ATTACH {ql(path)} AS checker_disk")
            except duckdb.Error:        # the spill folder is not writable: load in memory, as before
                self._disk_dir = None
                return False
            self._disk = path
        return True

    # -- lifecycle -------------------------------------------------------------------------
    def _typed_query(self, sources: list[ColumnSource], row: str, shape: str, relation: str) -> str:
        """:func:`typed_query`, with the functions an export dialect needs registered first."""
        if any(src.dialect.normalize for src in sources) and not self._nfkc:
            # the UDF type enum lives in a module whose path changed across DuckDB versions: named by its text
            self.con.create_function(NFKC, _nfkc, ["varchar"], "varchar",  # type: ignore[call-overload]
                                     type="arrow", side_effects=False)
            self._nfkc = True
        return typed_query(sources, row, shape, relation)

    def lock(self) -> None:
        """No file, network or setting access from here on."""
        self._run("SET enable_external_access = false")
        self._run("SET lock_configuration = true")
        self.locked = True

    def close(self) -> None:
        self.con.close()
        if self._disk is not None:
            for leftover in (self._disk, self._disk + ".wal"):
                Path(leftover).unlink(missing_ok=True)
        self._tmp.cleanup()

    # -- queries ---------------------------------------------------------------------------
    def _query(self, sql: str) -> str:
        """``sql`` if it is one read-only SELECT over the engine's own tables (X210 otherwise)."""
        # DuckDB's own parse tree: it serialises SELECT statements only, and says how many there are
        row = self.con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
        assert row is not None, "a SELECT of one value without FROM has one row"
        tree = row[0]
        guard.check_duckdb_tree(tree, self._tables.__contains__)
        return sql

    def execute(self, sql: str) -> duckdb.DuckDBPyConnection:
        """A cursor over one guarded query's answer."""
        return self.con.execute(self._query(sql))

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Run one of the engine's own statements (loading, settings) and fetch all its rows."""
        return self.con.execute(sql, params or []).fetchall()

    def fetchall(self, sql: str) -> list[tuple]:
        return self.con.execute(self._query(sql)).fetchall()

    def explain(self, sql: str) -> list[tuple]:
        """DuckDB's plan of one guarded query: binds it (types, names) without running it."""
        return self.con.execute("EXPLAIN " + self._query(sql)).fetchall()

    def materialize(self, name: str, sql: str) -> None:
        """Keep a guarded query's answer as a temporary table, for the queries that read it more than once."""
        self._run(f"CREATE TEMP TABLE {qi(name)} AS {self._query(sql)}")
        self._tables.add(name)

    def release(self, name: str) -> None:
        if name in self._tables:
            self._tables.discard(name)
            self._run(f"DROP TABLE IF EXISTS {qi(name)}")

    # -- loading ---------------------------------------------------------------------------
    def load(self, schema: DatasetSchema, source: Source) -> Loaded:
        if source.uri:
            raise CheckerError([Problem(Span(source.display), codes.D410,
                                        _("{dataset} is in a data lake ({uri}); DuckDB reads local files only",
                                          dataset=schema.name, uri=source.uri),
                                        hint=_("run with --engine spark, or copy the file into the data folder"))])
        self._n += 1
        table = f"ds_{self._n}"
        if source.frame is not None:
            with self._reading(schema, source):
                loaded = self._load_frame(schema, source, table)
            loaded.rows = self._run(f"SELECT count(*) FROM {table}")[0][0]
            self._tables.add(table)
            return loaded
        disk = self._to_disk(source)
        with self._reading(schema, source):
            if not disk:
                loaded = self._load(schema, source, table)
            else:
                self._run("USE checker_disk")
                try:
                    loaded = self._load(schema, source, table)
                finally:
                    self._run("USE checker_data")
                self._run(f"CREATE VIEW {table} AS SELECT * FROM checker_disk.{table}")
        loaded.rows = self._run(f"SELECT count(*) FROM {table}")[0][0]
        self._tables.add(table)
        self._settle_lines(loaded)
        self._compact()
        return loaded

    def _compact(self) -> None:
        """Compress the loaded tables (a CHECKPOINT) once they hold more than a quarter of the memory limit.

        Compressed, they are ~5x smaller, so what is loaded next and the scans of the checks stay
        within the limit instead of spilling; below that size compressing would cost more than it saves.
        """
        if not self._compressed:
            return
        used = self._run("SELECT coalesce(sum(memory_usage_bytes + temporary_storage_bytes), 0) FROM duckdb_memory() "
                         "WHERE tag = 'IN_MEMORY_TABLE'")[0][0]
        if used > (self._limit or 0) / 4:
            self._run("CHECKPOINT")

    def empty(self, schema: DatasetSchema) -> Loaded:
        """An empty table with the columns a rule's query reads, typed as a load types them (for lint).

        The record number, the shape code and each column with the type the conversion gives it
        (``tests/test_engine.py`` checks the types against a real conversion for every schema); not
        the conversion evidence, which only the structural checks read.  Declared, not converted:
        planning the conversion of a wide schema costs DuckDB ~35 ms, and lint binds every dataset.
        """
        self._n += 1
        table = f"ds_{self._n}"
        sources = [ColumnSource(c, i, f"c{i}", "json") for i, c in enumerate(schema.columns.values())]
        columns = [f"{ROW} BIGINT", f"{SHAPE} VARCHAR"] + [
            f"{qi(s.column.name)} {'JSON' if s.column.sql_type == 'ANY' else s.column.sql_type}" for s in sources]
        self._run(f"CREATE TABLE {table} ({', '.join(columns)})")
        self._tables.add(table)
        return Loaded(schema, table, display="(empty)", format="json", sha256="", rows=0,
                      sources={s.column.name: s for s in sources})

    def load_records(self, schema: DatasetSchema, records: list[dict[str, Any]], display: str) -> Loaded:
        """Load in-memory records given as JSON-compatible dicts (rule examples)."""
        import json as _json

        self._n += 1
        table = f"ds_{self._n}"
        path = Path(self._tmp.name) / f"{table}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for record in records:
                fh.write(_json.dumps(record, ensure_ascii=False, default=str) + "\n")
        src = Source(schema.name, path, display, "jsonl")
        loaded = self._load(schema, src, table)
        loaded.rows = len(records)
        self._tables.add(table)
        return loaded

    # -- record sets (rule examples): one conversion per dataset, one set readable at a time -------
    def load_record_sets(self, schema: DatasetSchema, sets: list[list[dict[str, Any]]],
                         display: str) -> tuple[Loaded, list[range]]:
        """Several sets of in-memory records (the examples of a run) loaded in one conversion.

        The records of all sets, one after the other, are loaded as :meth:`load_records` loads them
        (the same conversion, types and evidence columns: each record is converted on its own);
        the answer is that table and, per set, the record numbers (``__row``) of its records there.
        That table is no query's to read: :meth:`use_record_set` shows one set at a time in the table
        the queries read.  The conversion is a large statement (~40 ms to parse and plan for a wide
        schema, whatever the rows), so a conversion per example took most of ``checker test``.
        """
        staged = self.load_records(schema, [record for records in sets for record in records], display)
        self._tables.discard(staged.table)
        ranges: list[range] = []
        first = 1
        for records in sets:  # one record a line: a record's number is its line in the file
            ranges.append(range(first, first + len(records)))
            first += len(records)
        return staged, ranges

    def use_record_set(self, staged: Loaded, rows: range) -> Loaded:
        """The table the queries read holding the records ``rows`` of ``staged`` (of :meth:`load_record_sets`).

        One view per staged table, created on first use, with the staged table's columns and types;
        each call moves its window (two variables the view's filter reads, folded into the scan of the
        staged table as constants when a query is planned), so the set shown before is gone: no record
        of one example is seen by the next.  The records are numbered from 1, as if loaded alone.
        Copying each set into a table instead cost ~2.5 ms a set, the view's window ~0.3 ms and
        ~0.7 ms more per query that reads it.
        """
        table = f"{staged.table}_set"
        first, stop = f"{staged.table}_first", f"{staged.table}_stop"
        self._run(f"SET VARIABLE {first} = {int(rows.start)}")
        self._run(f"SET VARIABLE {stop} = {int(rows.stop)}")
        if table not in self._tables:
            self._run(f"CREATE VIEW {table} AS SELECT __row - getvariable({ql(first)}) + 1 AS __row, "
                      f"* EXCLUDE (__row) FROM {staged.table} "
                      f"WHERE __row >= getvariable({ql(first)}) AND __row < getvariable({ql(stop)})")
            self._tables.add(table)
        return Loaded(staged.schema, table, display=staged.display, format=staged.format, sha256=staged.sha256,
                      rows=len(rows), sources=staged.sources)

    def _load(self, schema: DatasetSchema, source: Source, table: str) -> Loaded:
        # hashing releases the GIL: fingerprint the file while DuckDB reads it
        with ThreadPoolExecutor(max_workers=1) as pool:
            # a UTF-8 CSV's lines are counted as it is hashed; a transcoded one's as it is transcoded
            # (counting holds the GIL, which the transcoding needs)
            count = source.format == "csv" and (source.encoding or "utf-8").lower() in NATIVE_ENCODINGS
            sha = pool.submit(scan_file, source.path, True, count)
            loaded = Loaded(schema, table, display=source.display, format=source.format, sha256="", rows=0,
                            dialect=source.dialect)
            self._read(schema, source, loaded)
            loaded.sha256, lines = sha.result()
            if loaded.file_lines is None:           # (a transcoded copy's were counted as it was written)
                loaded.file_lines = lines
        return loaded

    def _load_frame(self, schema: DatasetSchema, source: Source, table: str) -> Loaded:
        """Records handed in as an Arrow table (``checker.api.check``), read in place: no file, no copy.

        Native columns convert as Parquet's do; a record's row is its 1-based position."""
        import pyarrow as pa

        frame = source.frame
        loaded = Loaded(schema, table, display=source.display, format="arrow", sha256=frame_sha256(frame), rows=0,
                        dialect=source.dialect)
        header = [str(name) for name in frame.column_names]
        position = "__checker_position"
        numbered = pa.Table.from_arrays([*frame.columns, pa.array(range(1, frame.num_rows + 1), pa.int64())],
                                        names=[*(f"c{i}" for i in range(len(header))), position])
        view = f"{table}_frame"
        self.con.register(view, numbered)
        try:
            described = self._run(f"DESCRIBE SELECT * EXCLUDE ({position}) FROM {view}")
            types = {i: str(r[1]).upper() for i, r in enumerate(described)}
            mapping, notes = HeaderMap(schema).map(header, source.display)
            loaded.notes.extend(notes)
            sources = column_sources(schema, mapping, "native", native=types, dialect=loaded.dialect)
            self._run(f"CREATE TABLE {table} AS "
                      + self._typed_query(sources, position, "CAST(NULL AS VARCHAR)", view))
        finally:
            self.con.unregister(view)
        loaded.sources = {s.column.name: s for s in sources}
        return loaded

    def _load_raw(self, schema: DatasetSchema, raw: readers.RawTable, mapping: list[int | None],
                  loaded: Loaded) -> None:
        kind = raw.kind
        names = [f"c{i}" for i in range(len(raw.header))]
        arrow = raw.to_arrow(names)
        view = f"{loaded.table}_arrow"
        self.con.register(view, arrow)
        sources = column_sources(schema, mapping, kind, dialect=loaded.dialect)
        try:
            self._run(f"CREATE TABLE {loaded.table} AS "
                      + self._typed_query(sources, "__row", "__shape", view))  # read in record order
        finally:
            self.con.unregister(view)
        loaded.sources = {s.column.name: s for s in sources}

    def _load_jsonl(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> bool:
        """JSON Lines read by DuckDB, line by line, so memory stays bounded: False to fall back to Python.

        Each line is one record at its line number; a blank line is no record; a line that is not a
        JSON object keeps its row with a shape problem.  Keys map to columns like CSV headers do.
        """
        lines = f"{loaded.table}_lines"
        rej = f"{loaded.table}_jrej"
        self._run(f"CREATE TABLE {lines} AS SELECT * FROM read_csv({ql(str(source.path))}, "
                  f"columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(1), quote = '', escape = '', "
                  f"auto_detect = false, strict_mode = true, store_rejects = true, rejects_table = {ql(rej)}, "
                  f"rejects_scan = {ql(rej + '_scan')}, max_line_size = 16777216)")
        rejected = self._run(f"SELECT count(*) FROM {rej}")[0][0]
        self._run(f"DROP TABLE {rej}; DROP TABLE {rej + '_scan'}")
        if rejected:
            self._run(f"DROP TABLE {lines}")
            return False
        objects = f"{loaded.table}_objects"
        # parsed once to validate it; a valid JSON text whose first character is '{' is an object
        valid = (f"SELECT rowid + 1 AS __row, line, json_valid(line) AS ok, "
                 f"left(ltrim(line, chr(32) || chr(9) || chr(13)), 1) = '{{' AS obj "
                 f"FROM {lines} WHERE line IS NOT NULL AND trim(line) <> ''")
        self._run(f"CREATE VIEW {objects} AS SELECT __row, "
                  f"CASE WHEN NOT ok THEN 'json:invalid' WHEN NOT obj THEN 'json:' || "
                  f"{_json_shape_sql('lower(json_type(line))')} END AS __shape, "
                  f"CASE WHEN ok AND obj THEN line END AS o FROM ({valid})")
        keys = self._run(f"SELECT k, count(*) FROM (SELECT unnest(json_keys(o)) AS k FROM {objects} "
                         f"WHERE o IS NOT NULL) GROUP BY k ORDER BY k")
        by_column = self._json_columns(schema, keys, source, loaded)
        pointer = lambda key: ql("/" + key.replace("~", "~0").replace("/", "~1"))  # noqa: E731  JSON Pointer
        # every key a column reads, taken out of each record in one parse (a list, in this order)
        wanted = [k for i in range(len(schema.columns)) for k in by_column.get(i, [])]
        at = {k: n + 1 for n, k in enumerate(wanted)}
        raw_items = []
        for i in range(len(schema.columns)):
            parts = [f"__vals[{at[k]}]" for k in by_column.get(i, [])]
            expr = parts[0] if len(parts) == 1 else (f"coalesce({', '.join(parts)})" if parts else "CAST(NULL AS JSON)")
            raw_items.append(f"CAST({expr} AS VARCHAR) AS c{i}")  # JSON text, as the Python reader gives
        sources = column_sources(schema, list(range(len(schema.columns))), "json", dialect=loaded.dialect)
        values = (f"json_extract(o, [{', '.join(pointer(k) for k in wanted)}])" if wanted
                  else "CAST(NULL AS JSON[])")
        relation = (f"(SELECT __row, __shape, {', '.join(raw_items)} FROM "
                    f"(SELECT __row, __shape, {values} AS __vals FROM {objects}))")
        # insertion order is kept: the table is in record order without sorting
        self._run(f"CREATE TABLE {loaded.table} AS "
                  + self._typed_query(sources, "__row", "__shape", relation))
        self._run(f"DROP VIEW {objects}; DROP TABLE {lines}")
        loaded.sources = {s.column.name: s for s in sources}
        return True

    def _load_parquet(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        rel = f"read_parquet({ql(str(source.path))}, file_row_number = true)"
        described = self._run(f"DESCRIBE SELECT * FROM {rel}")
        header = [r[0] for r in described if r[0] != "file_row_number"]
        types = {i: str(r[1]).upper() for i, r in enumerate(d for d in described if d[0] != "file_row_number")}
        mapping, notes = HeaderMap(schema).map(header, source.display)
        loaded.notes.extend(notes)
        sources = column_sources(schema, mapping, "native", raw_name=lambda pos: header[pos], native=types,
                                 dialect=loaded.dialect)
        self._run(f"CREATE TABLE {loaded.table} AS "
                  + self._typed_query(sources, "file_row_number + 1", "CAST(NULL AS VARCHAR)", rel))  # in file order
        loaded.sources = {s.column.name: s for s in sources}

    def _load_csv(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        path = self._utf8_csv(source, loaded)
        header, delim = readers.read_header(path, source.delimiter, source.display)
        if not header:
            raise CheckerError([Problem(Span(source.display, 1, 1), codes.D403, _("the CSV file has no header row"))])
        mapping, notes = HeaderMap(schema).map(header, source.display)
        loaded.notes.extend(notes)
        sources = column_sources(schema, mapping, "text", dialect=loaded.dialect)
        loaded.sources = {s.column.name: s for s in sources}
        loaded.line_source = (path, delim)
        names = [f"c{i}" for i in range(len(header))]
        columns = "{" + ", ".join(f"{ql(n)}: 'VARCHAR'" for n in names) + "}"
        rej = f"{loaded.table}_rejects"
        rel = (f"read_csv({ql(str(path))}, columns = {columns}, header = true, delim = {ql(delim)}, "
               f"quote = '\"', escape = '\"', auto_detect = false, null_padding = false, strict_mode = true, "
               f"store_rejects = true, rejects_table = {ql(rej)}, rejects_scan = {ql(rej + '_scan')}, "
               f"max_line_size = {readers.MAX_FIELD})")
        main = f"{loaded.table}_main"
        try:
            self._run(f"CREATE TABLE {main} AS "
                      + self._typed_query(sources, "CAST(NULL AS BIGINT)", "CAST(NULL AS VARCHAR)", rel))
        except duckdb.InvalidInputException:
            # DuckDB reads one kind of line ending per file: mixed LF, CRLF and lone CR are read exactly
            self._run(f"DROP TABLE IF EXISTS {rej}; DROP TABLE IF EXISTS {rej + '_scan'}")
            self._load_raw(schema, readers.read_csv_exact(path, delim, source.display), mapping, loaded)
            return
        rejects = self._run(
            f"SELECT line, any_value(error_type::VARCHAR), any_value(csv_line) FROM {rej} GROUP BY line ORDER BY line"
        )
        self._run(f"DROP TABLE {rej}; DROP TABLE {rej + '_scan'}")
        if not rejects:
            # every line a record, in file order: the record number is the row id (a view, not an
            # UPDATE, which would rewrite a compressed column of every record)
            self._run(f"CREATE VIEW {loaded.table} AS SELECT rowid + 1 AS __row, rowid AS __rid, * EXCLUDE (__row) "
                      f"FROM {main}")
            loaded.row_ids = True
            return
        kept = self._run(f"SELECT count(*) FROM {main}")[0][0]
        if self._file_lines(loaded) - 1 == kept + len(rejects) and all(
                "\n" not in (r[2] or "") and (len(r[2] or "") < _REJECT_LINE_SHOWN or r[1] == "LINE SIZE OVER MAXIMUM")
                for r in rejects):
            self._merge_rejects(schema, sources, main, loaded, rejects, header, delim)
        else:
            # Quoted newlines or blank lines shift line numbers, and a rejected line DuckDB shows cut short
            # has fields the merge would miss: read exactly, record by record.
            self._run(f"DROP TABLE {main}")
            raw = readers.read_csv_exact(path, delim, source.display)
            self._load_raw(schema, raw, mapping, loaded)

    def _merge_rejects(self, schema: DatasetSchema, sources: list[ColumnSource], main: str, loaded: Loaded,
                       rejects: list[tuple[Any, ...]], header: list[str], delim: str) -> None:
        width = len(header)
        columns: list[list[Any]] = [[] for _i in range(width)]
        rows: list[int] = []
        shapes: list[str | None] = []
        for line, error_type, csv_line in rejects:
            rows.append(int(line) - 1)
            if error_type == "LINE SIZE OVER MAXIMUM":      # the record is kept, none of its fields read
                fields, shape = [], f"long:{readers.MAX_FIELD}"
            else:
                fields = readers.parse_csv_line(csv_line or "", delim)
                shape = readers.shape_problem(len(fields), width) or "unreadable"
            shapes.append(shape)
            for i in range(width):
                value = fields[i] if i < len(fields) else None
                columns[i].append(value if value != "" else None)
        raw = readers.RawTable(header, columns, rows, shapes)
        fixed = f"{loaded.table}_fixed"
        self._load_raw(schema, raw, _mapping_from(sources, width),
                       Loaded(schema, fixed, display=loaded.display, format="csv", sha256="", rows=0,
                              dialect=loaded.dialect))
        # kept row i (0-based) has record number i + 1 + #{rejected r_j : r_j - j <= i}
        thresholds = sorted(r - (j + 1) for j, r in enumerate(sorted(rows)))
        offsets = f"{loaded.table}_offsets"
        self._run(f"CREATE TABLE {offsets} (t BIGINT, c BIGINT)")
        self.con.executemany(f"INSERT INTO {offsets} VALUES (?, ?)",
                             [(t, j + 1) for j, t in enumerate(thresholds)])
        cols = self._run(f"DESCRIBE {main}")
        rest = ", ".join(qi(c[0]) for c in cols if c[0] not in ("__row",))
        rest_of_m = ", ".join("m." + qi(c[0]) for c in cols if c[0] != "__row")
        self._run(
            f"CREATE TABLE {loaded.table} AS "
            f"SELECT m.rid + 1 + coalesce(o.c, 0) AS __row, {rest_of_m} "
            f"FROM (SELECT rowid AS rid, {rest} FROM {main}) m ASOF LEFT JOIN "
            f"(SELECT t, max(c) AS c FROM {offsets} GROUP BY t) o ON m.rid >= o.t "
            f"UNION ALL SELECT __row, {rest} FROM {fixed} ORDER BY __row")
        self._run(f"DROP TABLE {main}; DROP TABLE {fixed}; DROP TABLE {offsets}")


#: DuckDB shows a rejected line's first 10,000 characters only (``csv_line`` of the rejects table)
_REJECT_LINE_SHOWN = 10_000

#: the share of the memory limit an export's file must reach to be loaded into a database file
#: (see :meth:`DuckDBEngine._to_disk`)
_DISK_SHARE_TEXT = 1 / 2
_DISK_SHARE_COMPRESSED = 1 / 8


def _bytes(size: str) -> int | None:
    """'953.6 MiB' (how DuckDB shows a memory size) in bytes; None if it is not one."""
    units = {"": 1, "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
             "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
    number, _sep, unit = size.strip().partition(" ")
    try:
        return int(float(number) * units[unit.strip().lower()])
    except (ValueError, KeyError):
        return None


def _mapping_from(sources: list[ColumnSource], width: int) -> list[int | None]:
    mapping: list[int | None] = [None] * width
    for s in sources:
        if s.raw is not None:
            mapping[int(s.raw[1:])] = s.index
    return mapping


def _json_shape_sql(type_sql: str) -> str:
    """SQL: the shape-code name of a JSON type name (see :data:`checker.load.readers.JSON_TYPES`)."""
    whens = " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in sorted(readers.JSON_TYPES.items()))
    return f"(CASE {type_sql} {whens} ELSE 'value' END)"
