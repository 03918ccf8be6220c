"""The marts in their own file beside the warehouse: every warehouse connection sees them as ``marts.<name>``,
an older warehouse's schema ``marts`` moves there once, and one transaction never writes both files."""

import duckdb
import pytest

from assets.warehouse import marts_path, open_warehouse, with_marts
from tests.pipeline.harness import header, land, run_ingest


def _old_warehouse(path, label: str = "from the old warehouse") -> None:
    """A warehouse as written before the marts file: its marts in its own schema ``marts``."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE TABLE marts.legacy AS SELECT ? AS label, 7 AS n", [label])
        conn.execute("CREATE TABLE marts.ingest_ledger AS SELECT 'stale' AS source")
        conn.execute("CREATE SCHEMA staging")
        conn.execute("CREATE TABLE staging.kept AS SELECT 1 AS x")


def _schemas(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {r[0] for r in conn.execute("SELECT schema_name FROM duckdb_tables()").fetchall()}


def test_marts_written_through_a_warehouse_connection_land_in_the_marts_file(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with open_warehouse(warehouse) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS staging")
        conn.execute("CREATE TABLE staging.s AS SELECT 3 AS x")
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")  # what replace_table does: finds the marts file's
        conn.execute("CREATE OR REPLACE TABLE marts.doubled AS SELECT x * 2 AS y FROM staging.s")
        assert conn.execute("SELECT y FROM marts.doubled").fetchall() == [(6,)]
        cursor = conn.cursor()  # a cursor does not inherit the search path: it needs with_marts of its own
        with pytest.raises(duckdb.CatalogException):
            cursor.execute("SELECT y FROM marts.doubled")
        assert with_marts(cursor).execute("SELECT y FROM marts.doubled").fetchall() == [(6,)]
    assert _schemas(warehouse) == {"staging"}
    assert _schemas(marts_path(warehouse)) == {"marts"}
    with open_warehouse(warehouse, read_only=True) as conn:
        assert conn.execute("SELECT y FROM marts.doubled").fetchall() == [(6,)]


def test_a_transaction_cannot_write_the_warehouse_and_the_marts_together(tmp_path):
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        conn.execute("CREATE SCHEMA staging")
        conn.execute("CREATE TABLE staging.s (x INT)")
        conn.execute("CREATE TABLE marts.m (x INT)")
        conn.execute("BEGIN TRANSACTION")
        conn.execute("INSERT INTO staging.s VALUES (1)")
        with pytest.raises(duckdb.TransactionException):
            conn.execute("INSERT INTO marts.m VALUES (1)")
        conn.execute("ROLLBACK")


def test_an_older_warehouse_moves_its_marts_into_the_marts_file_at_the_first_run(settings):
    settings.ensure_root()
    _old_warehouse(settings.warehouse_path)
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    run_ingest(settings, publish=True)

    assert _schemas(settings.warehouse_path) >= {"staging", "ingest"}
    assert "marts" not in _schemas(settings.warehouse_path)
    with open_warehouse(settings.warehouse_path, read_only=True) as conn:
        assert conn.execute("SELECT label, n FROM marts.legacy").fetchall() == [("from the old warehouse", 7)]
        # a mart the run rebuilt replaced the moved copy
        assert conn.execute("SELECT source, file_name FROM marts.ingest_ledger").fetchall() == [
            ("hp_employers", "a.csv")
        ]
        assert conn.execute("SELECT x FROM staging.kept").fetchall() == [(1,)]
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        assert snap.execute("SELECT label FROM marts.legacy").fetchall() == [("from the old warehouse",)]


def test_a_move_cut_short_is_finished_by_the_next_opening(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _old_warehouse(warehouse)
    # the crash came after the marts file got a copy of one table and before the old schema was dropped
    with duckdb.connect(str(marts_path(warehouse))) as store:
        store.execute("CREATE SCHEMA marts")
        store.execute("CREATE TABLE marts.legacy AS SELECT 'half-copied' AS label, 0 AS n")
    with open_warehouse(warehouse) as conn:
        assert conn.execute("SELECT label, n FROM marts.legacy").fetchall() == [("from the old warehouse", 7)]
        assert conn.execute("SELECT source FROM marts.ingest_ledger").fetchall() == [("stale",)]
    assert _schemas(warehouse) == {"staging"}


def test_a_read_only_opening_of_an_older_warehouse_reads_its_marts_where_they_are(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _old_warehouse(warehouse)
    with open_warehouse(warehouse, read_only=True) as conn:
        assert conn.execute("SELECT n FROM marts.legacy").fetchall() == [(7,)]
    assert not marts_path(warehouse).exists()  # nothing written
    assert "marts" in _schemas(warehouse)
