"""The Spark engine: the same compiled rules, run through PySpark on any Spark master.

Install with ``pip install '.[spark]'`` (PySpark; Java 17 or newer on the machine).
The evaluator writes DuckDB-dialect SQL; :mod:`checker.engine.spark_sql` rewrites each
statement's sqlglot tree for Spark before it runs, so both engines answer the same.

Loading keeps the DuckDB engine's promises: every record keeps its record number
(``__row``) and ragged or unreadable records stay in the table with a shape problem.
CSV, JSON Lines and Parquet are read by Spark itself (so a path can point into a data
lake); Excel workbooks and JSON arrays, which Spark cannot split, are read by the
checker's own readers and handed over as Arrow tables.  Converting raw values to typed
columns with evidence is the DuckDB engine's own query (:func:`typed_query`), transpiled.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlglot import exp

from checker import codes
from checker.codes import Code
from checker.engine import guard, spark_udf
from checker.engine.base import FileLoading, scan_file
from checker.engine.loading import ColumnSource, HeaderMap, Loaded, column_sources, typed_query
from checker.engine.spark_sql import DIALECT_OUT, to_spark, unsupported
from checker.engine.spark_types import typed_difference
from checker.i18n import Msg, _
from checker.load import readers
from checker.load.sources import Source
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError, Problem, Span
from checker.sql.regex import SparkUnsupported, java_regex
from checker.sql.spelling import NFKC

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Row, SparkSession

    from checker.engine.api import EngineSettings

_SPARK_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "smallint": "SMALLINT",
                "tinyint": "TINYINT", "double": "DOUBLE", "float": "FLOAT", "boolean": "BOOLEAN", "date": "DATE",
                "timestamp": "TIMESTAMP WITH TIME ZONE", "timestamp_ntz": "TIMESTAMP", "binary": "BLOB"}


LOG_CONFIG = Path(__file__).with_name("log4j2.properties")


def available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def _require() -> None:
    if not available():
        raise CheckerError([Problem(Span("--engine"), codes.D407,
                                    _("the Spark engine needs PySpark, which is not installed"),
                                    hint=_("pip install 'marketing-checker[spark]' (or pip install '.[spark]' in a "
                                           "checkout); Java 17 or newer must be on the PATH"))])


def spark_errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JJavaError, SparkUnsupported)


def session(master: str | None = None, memory: str | None = None, local_dir: str | None = None,
            conf: dict[str, str] | None = None) -> tuple[SparkSession, bool]:
    """The Spark session the checker runs on (an active one is reused: tests start one per session)."""
    _require()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    master = master or os.environ.get("CHECKER_SPARK_MASTER") or "local[*]"
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run the checker's own Python
    java_opts = f"-Duser.timezone=UTC -Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
    builder = (SparkSession.builder.master(master).appName("checker")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="checker-spark-wh-"))
               .config("spark.driver.extraJavaOptions", java_opts)
               .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC"))
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    if local_dir:
        builder = builder.config("spark.local.dir", local_dir)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, a bad master URL or setting
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckerError([Problem(Span("--engine"), codes.D407, _("Spark could not start on {master}: {error}",
                                                                master=master, error=first),
                                    hint=_("Java 17 or newer must be on the PATH (or JAVA_HOME set); check "
                                           "--spark-master and --spark-conf"))]) from None
    spark.sparkContext.setLogLevel("ERROR")
    for name in ("py4j", "pyspark", "SQLQueryContextLogger"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return spark, True


class _Cursor:
    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows

    def fetchmany(self, n: int) -> list[tuple]:
        out = []
        for row in self._rows:
            out.append(_plain(row))
            if len(out) >= n:
                break
        return out


def _plain(row: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(_value(v) for v in row)


def _value(v: Any) -> Any:
    return [_value(x) for x in v] if isinstance(v, list) else v




class SparkEngine(FileLoading):
    """Apache Spark through PySpark: queries rewritten for Spark SQL; what would mean something else is refused."""

    name: ClassVar[str] = "spark"
    label: ClassVar[str] = "Spark"
    dialect: ClassVar[str] = DIALECT_OUT
    refusal: ClassVar[Code | None] = codes.X207

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> SparkEngine:
        # the command line's default memory limit is DuckDB's; Spark keeps its own unless one is asked for
        memory = settings.memory_limit if settings.memory_limit != "1GB" else None
        return cls(master=settings.master, memory_limit=memory, temp_dir=settings.spill_dir,
                   threads=settings.threads, conf=settings.conf)

    @classmethod
    def available(cls) -> bool:
        return available()

    @staticmethod
    def cannot_run(node: exp.Expression, typed: exp.Expression | None) -> Msg | str | None:
        return unsupported(node) or (typed_difference(typed) if typed is not None else None)

    @staticmethod
    def cannot_match(pattern: str) -> Msg | str | None:
        try:
            java_regex(pattern)
        except SparkUnsupported as err:
            return err.message
        return None

    @staticmethod
    def as_run(sql: str) -> str:
        import sqlglot

        return sqlglot.parse_one(to_spark(sql), read=DIALECT_OUT).sql(dialect=DIALECT_OUT, pretty=True)

    def __init__(self, master: str | None = None, memory_limit: str | None = None, temp_dir: str | None = None,
                 threads: int | None = None, conf: dict[str, str] | None = None):
        if threads and not master:
            master = f"local[{int(threads)}]"
        memory = None
        if memory_limit:
            memory = memory_limit.lower().replace("ib", "").replace("b", "").replace(" ", "")
        self.spark, self._owns = session(master, memory, temp_dir, conf)
        self.Error = spark_errors()
        from pyspark.sql.types import StringType

        self.spark.udf.register(NFKC, spark_udf.nfkc, StringType())  # an export dialect's ``normalize: nfkc``
        self._tmp = tempfile.TemporaryDirectory(prefix="checker-spark-")
        self._frames: list[Any] = []
        self._views: list[str] = []
        self._kept: dict[str, Any] = {}
        self.locked = False
        self._n = 0

    # -- lifecycle -------------------------------------------------------------------------
    def lock(self) -> None:
        """From here on only queries run (each parsed and rewritten from its sqlglot tree).

        Spark has no switch like DuckDB's ``enable_external_access``; what keeps rule SQL
        from reading files is the expression whitelist (no tables, subqueries or file
        functions can be written in a rule), which holds on both engines.
        """
        self.locked = True

    def close(self) -> None:
        for name in list(self._kept):
            self.release(name)
        for frame in self._frames:
            frame.unpersist()
        for view in self._views:
            self.spark.catalog.dropTempView(view)
        if self._owns:
            self.spark.stop()
        self._tmp.cleanup()

    # -- queries ---------------------------------------------------------------------------
    def _sql(self, sql: str) -> DataFrame:
        """One statement; once loaded, only a guarded query over the engine's own views (X210 otherwise)."""
        if self.locked:
            guard.check_query(sql, "duckdb", lambda name: name in self._views or name in self._kept)
        return self.spark.sql(to_spark(sql, queries_only=self.locked))

    def fetchall(self, sql: str) -> list[tuple]:
        return [_plain(r) for r in self._sql(sql).collect()]

    def execute(self, sql: str) -> _Cursor:
        return _Cursor(self._sql(sql).toLocalIterator())

    def materialize(self, name: str, sql: str) -> None:
        """Keep a query's answer (memory, then disk) as a view, for the queries that read it more than once."""
        from pyspark import StorageLevel

        frame = self._sql(sql).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(name)
        self._kept[name] = frame

    def release(self, name: str) -> None:
        frame = self._kept.pop(name, None)
        if frame is not None:
            self.spark.catalog.dropTempView(name)
            frame.unpersist()

    # -- loading ---------------------------------------------------------------------------
    def load(self, schema: DatasetSchema, source: Source) -> Loaded:
        self._n += 1
        table = f"ds_{self._n}"
        loaded = Loaded(schema, table, display=source.display, format=source.format, sha256="", rows=0,
                            dialect=source.dialect)
        with self._reading(schema, source):
            self._read(schema, source, loaded)
        if source.uri:
            loaded.notes.append(Problem(Span(source.display), codes.D408,
                                        _("not fingerprinted: the file is in a data lake "
                                          "and is not read twice to hash it"),
                                        level="warning",
                                        hint=_("the lake's own versioning (object version, snapshot id) "
                                               "identifies it")))
        else:
            # a UTF-8 CSV read as it is: its lines counted in the same read
            same = loaded.line_source is not None and loaded.line_source[0] == source.path
            loaded.sha256, lines = scan_file(source.path, lines=same and loaded.file_lines is None)
            if loaded.file_lines is None:
                loaded.file_lines = lines
        loaded.rows = self.spark.table(table).count()
        self._settle_lines(loaded)
        return loaded

    def _view(self, frame: DataFrame, name: str) -> None:
        frame.createOrReplaceTempView(name)
        self._views.append(name)

    def _typed(self, loaded: Loaded, sources: list[ColumnSource], relation: str, row: str = "__row",
               shape: str = "__shape") -> None:
        """Convert the raw view ``relation`` into the typed table, kept (memory, then disk) for the checks."""
        from pyspark import StorageLevel

        frame = self._sql(typed_query(sources, row, shape, relation))
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self._frames.append(frame)
        self._view(frame, loaded.table)
        loaded.sources = {s.column.name: s for s in sources}

    def _numbered(self, frame: DataFrame, name: str, odd_quotes: bool = False) -> int:
        """Register ``frame`` as ``name`` with ``__row``, its 1-based record number in file order.

        Spark numbers records within each input split (``monotonically_increasing_id``);
        one small job counts each split, and the offsets make the numbers consecutive.
        With ``odd_quotes`` the same job also counts lines with an odd number of '"' (returned).
        """
        from pyspark.sql import functions as F

        with_id = frame.withColumn("__mid", F.monotonically_increasing_id())
        aggs = [F.count(F.lit(1)).alias("n")]
        if odd_quotes:
            quotes = F.length("value") - F.length(F.regexp_replace("value", '"', ""))
            aggs.append(F.count_if(quotes % 2 == 1).alias("odd"))
        counts = sorted(with_id.groupBy(F.shiftright("__mid", 33).alias("p")).agg(*aggs).collect())
        shifts, total = [], 0
        for row in counts:                          # record number = __mid + (records before split p) - (p << 33) + 1
            shifts.append((row[0], total - (row[0] << 33)))
            total += row[1]
        offsets = self.spark.createDataFrame(shifts or [(0, 0)], "__p BIGINT, __shift BIGINT")
        numbered = (with_id.withColumn("__p", F.shiftright("__mid", 33))
                    .join(F.broadcast(offsets), "__p")
                    .withColumn("__row", F.col("__mid") + F.col("__shift") + 1)
                    .drop("__mid", "__p", "__shift"))
        self._view(numbered, name)
        return sum(row[2] for row in counts) if odd_quotes else 0

    def _load_raw(self, schema: DatasetSchema, raw: readers.RawTable, mapping: list[int | None],
                  loaded: Loaded) -> None:
        names = [f"c{i}" for i in range(len(raw.header))]
        frame = self.spark.createDataFrame(raw.to_arrow(names))
        view = f"{loaded.table}_raw"
        self._view(frame, view)
        self._typed(loaded, column_sources(schema, mapping, raw.kind, dialect=loaded.dialect), view)

    def _load_parquet(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        from pyspark.sql import functions as F

        frame = self.spark.read.parquet(source.location)
        header = list(frame.columns)
        types = {i: _duck_type(f.dataType.simpleString()) for i, f in enumerate(frame.schema.fields)}
        frame = frame.select("*", F.col("_metadata.row_index").alias("__row_index"))
        view = f"{loaded.table}_raw"
        self._view(frame, view)
        mapping, notes = HeaderMap(schema).map(header, source.display)
        loaded.notes.extend(notes)
        sources = column_sources(schema, mapping, "native", raw_name=lambda pos: header[pos], native=types,
                                 dialect=loaded.dialect)
        self._typed(loaded, sources, view, row="__row_index + 1", shape="CAST(NULL AS VARCHAR)")

    def _load_csv(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> None:
        """CSV: each line parsed by Spark's own CSV parser (``from_csv``), its fields counted outside quotes.

        Encodings other than UTF-8 are transcoded first, as the DuckDB engine does (same warnings).
        A file with quoted line breaks has records that span lines; it is read record by record
        by the checker's own reader instead, so record numbers stay exact.
        """
        if source.uri:
            path, loaded.encoding = source.path, "utf-8"
        else:
            path = self._utf8_csv(source, loaded)
        location = source.uri or str(path)
        header, delim = readers.read_header(path, source.delimiter) if not source.uri else \
            self._lake_header(location, source.delimiter)
        if not header:
            raise CheckerError([Problem(Span(source.display, 1, 1), codes.D403, _("the CSV file has no header row"))])
        mapping, notes = HeaderMap(schema).map(header, source.display)
        loaded.notes.extend(notes)
        if not source.uri:
            loaded.line_source = (path, delim)
        width = len(header)
        numbered = f"{loaded.table}_numbered"
        if self._numbered(self.spark.read.text(location).where("value <> ''"), numbered, odd_quotes=True):
            if source.uri:
                raise CheckerError([Problem(Span(source.display), codes.D403, _("the CSV has line breaks inside quoted "
                                                                            "fields; read from a data lake, its "
                                                                            "records cannot be numbered exactly"),
                                            hint=_("export it as Parquet, or copy it into the data folder"))])
            raw_table = readers.read_csv_exact(path, delim, source.display)
            self._load_raw(schema, raw_table, mapping, loaded)
            return
        other = "[^" + "".join("\\" + c if c in "\\]^-" else c for c in delim) + "]"
        count = (f"length(regexp_replace(regexp_replace(value, '\"[^\"]*\"', ''), {_spark_str(other)}, '')) + 1")
        ddl = ", ".join(f"c{i} STRING" for i in range(width))
        options = f"map('sep', {_spark_str(delim)}, 'quote', '\"', 'escape', '\"', 'mode', 'PERMISSIVE')"
        shape = (f"CASE WHEN __n > {width} THEN 'extra:' || CAST(__n AS STRING) || ':{width}' "
                 f"WHEN __n < {width} THEN 'missing:' || CAST(__n AS STRING) || ':{width}' END")
        cells = ", ".join(f"CASE WHEN __r.c{i} = '' THEN NULL ELSE __r.c{i} END AS c{i}" for i in range(width))
        raw = f"{loaded.table}_raw"
        self._view(self.spark.sql(
            f"SELECT __row - 1 AS __row, {shape} AS __shape, {cells} FROM (SELECT __row, {count} AS __n, "
            f"from_csv(value, {_spark_str(ddl)}, {options}) AS __r FROM {numbered} WHERE __row > 1)"), raw)
        self._typed(loaded, column_sources(schema, mapping, "text", dialect=loaded.dialect), raw)

    def _lake_header(self, location: str, delimiter: str | None) -> tuple[list[str], str]:
        first = self.spark.read.text(location).where("value <> ''").first()
        line = (first[0] if first else "").lstrip("\ufeff")
        delim = delimiter or readers.sniff_delimiter(line)
        return [h.strip() for h in readers.parse_csv_line(line, delim)], delim

    def _load_jsonl(self, schema: DatasetSchema, source: Source, loaded: Loaded) -> bool:
        """JSON Lines: one record per line at its line number; blank lines are no record."""
        lines = f"{loaded.table}_lines"
        self._numbered(self.spark.read.text(source.location), lines)
        objects = f"{loaded.table}_objects"
        self._view(self.spark.sql(
            f"SELECT __row, CASE WHEN v IS NULL THEN 'json:invalid' "
            f"WHEN NOT startswith(schema_of_variant(v), 'OBJECT') THEN 'json:' || "
            f"(CASE WHEN schema_of_variant(v) = 'STRING' THEN 'string' WHEN schema_of_variant(v) "
            f"LIKE 'DECIMAL%' OR schema_of_variant(v) IN ('BIGINT', 'INT', 'DOUBLE', 'FLOAT', 'SMALLINT', "
            f"'TINYINT') THEN 'number' WHEN schema_of_variant(v) = 'VOID' THEN 'null' WHEN schema_of_variant(v) "
            f"= 'BOOLEAN' THEN 'boolean' WHEN startswith(schema_of_variant(v), 'ARRAY') THEN 'array' "
            f"ELSE 'value' END) END AS __shape, "
            f"CASE WHEN startswith(schema_of_variant(v), 'OBJECT') THEN v END AS o, value FROM "
            f"(SELECT __row, value, try_parse_json(value) AS v FROM (SELECT __row, CASE WHEN __row = 1 THEN "
            f"regexp_replace(value, {_spark_str(chr(92) + 'A' + chr(0xFEFF))}, '') ELSE value END AS value "
            f"FROM {lines}) "
            f"WHERE trim(value) <> '')"), objects)
        keys = self.spark.sql(f"SELECT k, count(*) FROM (SELECT explode(json_object_keys(value)) AS k FROM "
                              f"{objects} WHERE o IS NOT NULL) GROUP BY k ORDER BY k").collect()
        by_column = self._json_columns(schema, [tuple(k) for k in keys], source, loaded)
        items = []
        for i in range(len(schema.columns)):
            parts = [f"to_json(try_variant_get(o, {_spark_str(_variant_path(k))}, 'variant'))"
                     for k in by_column.get(i, [])]
            expr = parts[0] if len(parts) == 1 else (f"coalesce({', '.join(parts)})" if parts else
                                                     "CAST(NULL AS STRING)")
            items.append(f"{expr} AS c{i}")
        raw = f"{loaded.table}_raw"
        self._view(self.spark.sql(f"SELECT __row, __shape, {', '.join(items)} FROM {objects}"), raw)
        self._typed(loaded, column_sources(schema, list(range(len(schema.columns))), "json",
                                           dialect=loaded.dialect), raw)
        return True


def _variant_path(key: str) -> str:
    return "$['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"


def _spark_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _duck_type(spark_type: str) -> str:
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    return _SPARK_TYPES.get(spark_type, spark_type.upper())


def _header(path: Path, encoding: str, delimiter: str | None) -> tuple[list[str], str]:
    import csv

    with path.open("r", encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding,
                   newline="", errors="replace") as fh:
        first = fh.readline()
        delim = delimiter or readers.sniff_delimiter(first)
        fh.seek(0)
        if encoding.startswith("utf-8") and fh.read(1) != "\ufeff":
            fh.seek(0)
        header = next(csv.reader(fh, delimiter=delim), [])
    return [h.strip() for h in header], delim
