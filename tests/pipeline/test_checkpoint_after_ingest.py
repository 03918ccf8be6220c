"""An ingest step checkpoints the warehouse when DuckDB lets it (``checkpoint_if_free``), so the run's last
connection close does not carry every checkpoint of the run alone at the end."""

import os

import duckdb

from assets.warehouse import checkpoint_if_free


def _wal_bytes(path) -> int:
    wal = f"{path}.wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def test_a_free_warehouse_is_checkpointed_and_its_log_emptied(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("SET checkpoint_threshold = '1GB'")  # no checkpoint of DuckDB's own on commit
        conn.execute("CREATE TABLE events AS SELECT range AS id FROM range(1000)")
        conn.execute("INSERT INTO events VALUES (1000)")
        assert _wal_bytes(path) > 0
        assert checkpoint_if_free(conn) is True
        assert _wal_bytes(path) == 0
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1001,)


def test_a_table_being_replaced_beside_it_defers_the_checkpoint_without_failing_the_step(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("SET checkpoint_threshold = '1GB'")
        conn.execute("CREATE TABLE events AS SELECT range AS id FROM range(10)")
        beside = conn.cursor()  # another step's connection to the same database
        beside.execute("BEGIN TRANSACTION")
        beside.execute("CREATE OR REPLACE TABLE other AS SELECT 1 AS x")
        assert checkpoint_if_free(conn) is False
        assert _wal_bytes(path) > 0  # nothing was lost: the log still holds the table
        beside.execute("COMMIT")
        assert checkpoint_if_free(conn) is True
        assert conn.execute("SELECT count(*) FROM other").fetchone() == (1,)
