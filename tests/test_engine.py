"""The DuckDB engine's sandbox: after loading, no file, setting or environment access."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.load.sources import Source
from checker.problems import CheckerError
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"


@pytest.fixture
def engine():
    with DuckDBEngine() as e:
        schema = load_schema("crm.customers", QS / "schemas" / "crm" / "customers.schema.json")
        path = QS / "data" / "crm" / "customers.jsonl"
        e.load(schema, Source("crm.customers", path, "crm/customers.jsonl", "jsonl"))
        e.lock()
        yield e


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "COPY (SELECT 1) TO '/tmp/checker-should-not-exist.csv'",
    "ATTACH '/tmp/checker-should-not-exist.db'",
    "INSTALL httpfs",
])
def test_no_external_access_after_lock(engine, sql):
    # two walls: the statement guard refuses it, and DuckDB itself would too
    with pytest.raises(CheckerError) as refused:
        engine.fetchall(sql)
    assert refused.value.problems[0].code == "X210"
    with pytest.raises(duckdb.Error):
        engine.con.execute(sql)
    assert not Path("/tmp/checker-should-not-exist.csv").exists()


def test_configuration_is_locked(engine):
    for sql in ("SET enable_external_access = true", "SET lock_configuration = false"):
        with pytest.raises(CheckerError):
            engine.fetchall(sql)
        with pytest.raises(duckdb.Error):
            engine.con.execute(sql)


def test_loaded_tables_stay_queryable(engine):
    assert engine.fetchall("SELECT count(*) FROM ds_1") == [(4,)]


def _jsonl(tmp_path, text: str):
    schema = load_schema("crm.customers", QS / "schemas" / "crm" / "customers.schema.json")
    path = tmp_path / "customers.jsonl"
    path.write_bytes(text.encode("utf-8"))
    with DuckDBEngine() as e:
        loaded = e.load(schema, Source("crm.customers", path, "customers.jsonl", "jsonl"))
        return loaded.rows, e.fetchall(f"SELECT __row, __shape, customer_id FROM {loaded.table} ORDER BY __row")


def test_jsonl_rows_are_line_numbers_and_blank_lines_are_no_records(tmp_path):
    rows, records = _jsonl(tmp_path, '{"customer_id": "K1", "name": "a", "tier": "gold"}\n\n'
                                     'not json\n[1]\n{"客戶編號": "K5", "name": "b", "tier": "vip"}\n')
    assert rows == 4
    assert records == [(1, None, "K1"), (3, "json:invalid", None), (4, "json:array", None), (5, None, "K5")]


def test_jsonl_with_raw_control_characters_still_loads_every_line(tmp_path):
    # a raw \\x01 defeats the line reader's delimiter: the file is read again, record by record
    rows, records = _jsonl(tmp_path, '{"customer_id": "K1", "name": "a", "tier": "gold"}\n'
                                     '{"customer_id": "K2\x01", "name": "b", "tier": "gold"}\n')
    assert rows == 2 and [r[0] for r in records] == [1, 2]


def _table_bytes(e: DuckDBEngine) -> int:
    return e.con.execute("SELECT sum(memory_usage_bytes + temporary_storage_bytes) FROM duckdb_memory() "
                      "WHERE tag = 'IN_MEMORY_TABLE'").fetchall()[0][0]


def _complaints(tmp_path: Path, rows: int) -> tuple[object, Path]:
    schema = load_schema("crm.complaints", QS / "schemas" / "crm" / "complaints.schema.json")
    header = (QS / "data" / "crm" / "complaints.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / f"complaints-{rows}.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for i in range(rows):
            fh.write(f"C{i:06d},K{i % 997:03d},phone,high,2026-03-01 09:00:00,2026-03-01 10:00:00,"
                     f"2026-03-02 09:00:00,138{i:08d},E{i % 7:02d}\n")
    return schema, path


def _ends(e: DuckDBEngine, loaded, rows: int) -> list[tuple]:
    return e.fetchall(f"SELECT __row, complaint_id FROM {loaded.table} WHERE {loaded.rows_where('', [1, rows])} "
                      "ORDER BY __row")


def test_loaded_tables_are_compressed_once_they_take_a_quarter_of_the_memory_limit(tmp_path):
    """Under the memory limit, loaded tables that take a quarter of it are compressed (CHECKPOINT): the
    checks then scan them without spilling. Records and numbering are the same either way."""
    schema, csv = _complaints(tmp_path, 60_000)          # 6.6 MB: under an eighth of 64 MB, loaded in memory
    with DuckDBEngine(memory_limit="64MB") as e:
        first = e.load(schema, Source("crm.complaints", csv, "complaints.csv", "csv"))
        as_loaded = _table_bytes(e)
        assert e._disk is None and first.rows == 60_000 and as_loaded > 6 * 2**20     # under a quarter: as loaded
        second = e.load(schema, Source("crm.complaints", csv, "again.csv", "csv"))
        assert 0 < _table_bytes(e) < as_loaded / 2                                     # both compressed
        assert _ends(e, first, 60_000) == _ends(e, second, 60_000) == [(1, "C000000"), (60_000, "C059999")]


def test_an_export_of_half_the_memory_limit_is_loaded_into_a_database_file(tmp_path):
    """Such a table would spill while loading: it goes to a DuckDB file in the spill folder, compressed as
    it is written, with the same records and numbering; the file is removed when the engine closes."""
    schema, csv = _complaints(tmp_path, 400_000)         # 44 MB of CSV, over half of 64 MB
    spill = tmp_path / "spill"
    spill.mkdir()
    with DuckDBEngine(memory_limit="64MB", temp_dir=str(spill)) as e:
        loaded = e.load(schema, Source("crm.complaints", csv, "complaints.csv", "csv"))
        assert e._disk is not None and Path(e._disk).parent == spill and Path(e._disk).stat().st_size > 0
        assert loaded.rows == 400_000 and _table_bytes(e) < 2**20
        assert _ends(e, loaded, 400_000) == [(1, "C000000"), (400_000, "C399999")]
        e.lock()                                         # the file stays readable once external access is off
        assert e.fetchall(f"SELECT count(DISTINCT complaint_id) FROM {loaded.table}") == [(400_000,)]
    assert not list(spill.glob("*.duckdb*"))


def test_json_values_are_typed_by_their_json_type(tmp_path):
    """Strings with escapes, integers written as 3.0 or too large for BIGINT, a number as a string,
    a boolean as text: each value typed, or kept as evidence of the wrong type; a missing key is missing.
    A value kept as JSON is an integer at any size (1e30), as JSON Schema counts; NaN and -Infinity, which
    the JSON parser takes, are no numbers."""
    schema_path = tmp_path / "t.schema.json"
    schema_path.write_text('{"type": "object", "properties": {"s": {"type": "string"}, "i": {"type": "integer"}, '
                           '"n": {"type": "number"}, "b": {"type": "boolean"}, "a": {"type": ["integer", "string"]}, '
                           '"u": {}}}', encoding="utf-8")
    schema = load_schema("t.t", schema_path)
    path = tmp_path / "t.jsonl"
    path.write_text('{"s": "a\\"b\\u00e9", "i": 12, "n": 1.5, "b": true, "a": 7, "u": [1]}\n'
                    '{"s": 5, "i": 3.0, "n": -2, "b": "yes", "a": 2.5, "u": null}\n'
                    '{"s": "", "i": 12345678901234567890123, "n": 1e2, "b": false, "a": 1e30, "u": {"k": 1}}\n'
                    '{"i": 1.5, "n": "1", "a": true}\n'
                    '{"s": "x", "n": NaN, "a": -Infinity}\n', encoding="utf-8")
    with DuckDBEngine() as e:
        loaded = e.load(schema, Source("t.t", path, "t.jsonl", "jsonl"))
        cols = {name: src.index for name, src in loaded.sources.items()}
        bad = ", ".join(f'"__bad_{cols[c]}"' for c in ("s", "i", "n", "b", "a"))
        got = e.fetchall(f'SELECT __row, s, i, n, b, CAST(u AS VARCHAR), "__miss_{cols["s"]}", {bad} '
                         f"FROM {loaded.table} ORDER BY __row")
    assert got == [
        (1, 'a"bé', 12, 1.5, True, "[1]", False, None, None, None, None, None),
        (2, None, 3, -2.0, None, None, False, "5", None, None, '"yes"', "2.5"),
        (3, "", None, 100.0, False, '{"k":1}', False, None, "12345678901234567890123", None, None, None),
        (4, None, None, None, None, None, True, None, "1.5", '"1"', None, "true"),
        (5, "x", None, None, None, None, False, None, None, "NaN", None, "-Infinity"),   # not JSON numbers
    ]


@pytest.mark.parametrize("text, encoding, expected", [
    ("complaint_id,customer_id\nC1,K1\nC2,K2\nC3,K3\n", "utf-8", {1: 2, 2: 3, 3: 4}),
    ("complaint_id,customer_id\r\nC1,\"K\r\n1\"\r\nC2,K2\r\nC3,\"K\n\n3\"\r\nC4,K4", "utf-8", {1: 2, 2: 4, 3: 5, 4: 8}),
    ("complaint_id,customer_id\nC1,K1\n\nC2,K2\n\n\nC3,K3\n", "utf-8", {1: 2, 2: 4, 3: 7}),
    ("投訴編號,客戶編號\nC1,客戶一\nC2,\"客\n戶\"\nC3,K3\n", "gb18030", {1: 2, 2: 3, 3: 5}),
])
def test_each_record_knows_the_line_it_starts_on(tmp_path, text, encoding, expected):
    """Quoted line breaks and blank lines move records off row + 1; the line is where the record starts."""
    schema = load_schema("crm.complaints", QS / "schemas" / "crm" / "complaints.schema.json")
    path = tmp_path / "complaints.csv"
    path.write_bytes(text.encode(encoding))
    with DuckDBEngine() as e:
        loaded = e.load(schema, Source("crm.complaints", path, "complaints.csv", "csv", encoding=encoding))
        assert loaded.rows == len(expected)
        assert loaded.lines_of(set(expected)) == expected
        assert loaded.lines_of({2}) == {2: expected[2]}
        one_line_each = all(line == row + 1 for row, line in expected.items())
        assert (loaded.line_offset == 1) == one_line_each      # looked up only where records move


def test_json_lines_rows_are_their_lines(tmp_path):
    _rows, records = _jsonl(tmp_path, '{"customer_id": "K1", "name": "a", "tier": "gold"}\n\n'
                                     '{"customer_id": "K3", "name": "b", "tier": "gold"}\n')
    schema = load_schema("crm.customers", QS / "schemas" / "crm" / "customers.schema.json")
    with DuckDBEngine() as e:
        loaded = e.load(schema, Source("crm.customers", tmp_path / "customers.jsonl", "customers.jsonl", "jsonl"))
        assert loaded.lines_of({1, 3}) == {1: 1, 3: 3} and [r[0] for r in records] == [1, 3]


def _schema_folders() -> list[Path]:
    cases = sorted(p for p in (ROOT / "tests" / "cases").glob("**/schemas") if p.is_dir())
    return [ROOT / "schemas", ROOT / "examples" / "quickstart" / "schemas", *cases]


@pytest.mark.parametrize("kind", ["text", "json"])
def test_lints_empty_tables_type_every_column_as_a_load_does(kind):
    """lint binds rules on declared empty tables: each column must have the type a real conversion gives
    it, in every schema of the repository, or lint would pass a rule that fails to bind on data (or refuse
    one that binds)."""
    from checker.engine.loading import typed_query
    from checker.load.schemas import load_schemas
    from checker.sql.layout import ColumnSource

    checked = 0
    with DuckDBEngine() as engine:
        for folder in _schema_folders():
            schemas, _problems = load_schemas(folder)
            for schema in schemas.values():
                sources = [ColumnSource(c, i, f"c{i}", kind) for i, c in enumerate(schema.columns.values())]
                raw = ", ".join(f"CAST(NULL AS VARCHAR) AS c{i}" for i in range(len(sources)))
                query = typed_query(sources, "CAST(1 AS BIGINT)", "NULL::VARCHAR", f"(SELECT {raw} WHERE FALSE)")
                converted = {r[0]: r[1] for r in engine._run("DESCRIBE " + query)}
                declared = {r[0]: r[1] for r in engine._run(f"DESCRIBE {engine.empty(schema).table}")}
                assert declared == {k: v for k, v in converted.items() if k in declared}, schema.name
                assert set(converted) - set(declared) <= {k for k in converted if k.startswith("__")}
                checked += len(schema.columns)
    assert checked > 200
