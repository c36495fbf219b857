"""The DuckDB engine's sandbox: after loading, no file, setting or environment access."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from checker.engine.duckdb import DuckDBEngine
from checker.load.schemas import load_schema
from checker.load.sources import Source
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
    with pytest.raises(duckdb.Error):
        engine.fetchall(sql)
    assert not Path("/tmp/checker-should-not-exist.csv").exists()


def test_configuration_is_locked(engine):
    with pytest.raises(duckdb.Error):
        engine.fetchall("SET enable_external_access = true")
    with pytest.raises(duckdb.Error):
        engine.fetchall("SET lock_configuration = false")


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
    assert records == [(1, None, "K1"), (3, "line is not valid JSON", None),
                       (4, "record is a JSON array, not an object", None), (5, None, "K5")]


def test_jsonl_with_raw_control_characters_still_loads_every_line(tmp_path):
    # a raw \\x01 defeats the line reader's delimiter: the file is read again, record by record
    rows, records = _jsonl(tmp_path, '{"customer_id": "K1", "name": "a", "tier": "gold"}\n'
                                     '{"customer_id": "K2\x01", "name": "b", "tier": "gold"}\n')
    assert rows == 2 and [r[0] for r in records] == [1, 2]


def _table_bytes(e: DuckDBEngine) -> int:
    return e.fetchall("SELECT sum(memory_usage_bytes + temporary_storage_bytes) FROM duckdb_memory() "
                      "WHERE tag = 'IN_MEMORY_TABLE'")[0][0]


def test_a_large_export_is_kept_compressed_and_a_small_one_is_not_recompressed(tmp_path):
    """Under the memory limit a loaded table that would take a quarter of it is compressed (CHECKPOINT):
    the checks then scan it without spilling. Records and numbering are the same either way."""
    schema = load_schema("crm.complaints", QS / "schemas" / "crm" / "complaints.schema.json")
    header = (QS / "data" / "crm" / "complaints.csv").read_text(encoding="utf-8").splitlines()[0]
    big = tmp_path / "complaints.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for i in range(400_000):
            fh.write(f"C{i:06d},K{i % 997:03d},phone,high,2026-03-01 09:00:00,2026-03-01 10:00:00,"
                     f"2026-03-02 09:00:00,138{i:08d},E{i % 7:02d}\n")
    with DuckDBEngine(memory_limit="64MB") as e:
        loaded = e.load(schema, Source("crm.complaints", big, "complaints.csv", "csv"))
        assert loaded.rows == 400_000 and _table_bytes(e) < 16 * 2**20
        assert e.fetchall(f"SELECT __row, complaint_id FROM {loaded.table} WHERE {loaded.rows_where('', [1, 400_000])} "
                          "ORDER BY __row") == [(1, "C000000"), (400_000, "C399999")]
    with DuckDBEngine(memory_limit="1GB") as e:
        e.load(schema, Source("crm.complaints", big, "complaints.csv", "csv"))
        assert _table_bytes(e) > 16 * 2**20        # well under a quarter of 1 GB: left as loaded
