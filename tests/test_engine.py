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
