"""Publishing: a new snapshot file per run, an atomic swap of current.duckdb, crash safety and pruning."""

import datetime as dt

import duckdb
import pytest

import assets.publish as publish_module
from assets.publish import current_target, publish
from tests.pipeline.harness import header, land, run_ingest


def _warehouse_with_marts(tmp_path, label: str):
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT ? AS label", [label])
    conn.execute("CREATE SCHEMA IF NOT EXISTS staging")
    conn.execute("CREATE OR REPLACE TABLE staging.not_published AS SELECT 1 AS x")
    return conn


def _read_current(published) -> str:
    with duckdb.connect(str(published / "current.duckdb"), read_only=True) as conn:
        return conn.execute("SELECT label FROM marts.example").fetchone()[0]


def _at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 3, 1, 12, minute, tzinfo=dt.UTC)


def test_publish_copies_only_marts_and_points_current_at_the_new_snapshot(tmp_path):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    path, tables = publish(conn, published, keep=2, now=_at(0))
    assert path.name == "snapshot-20260301T120000000000Z.duckdb"
    assert tables == ["example"]
    assert current_target(published) == path
    assert _read_current(published) == "first"
    with duckdb.connect(str(published / "current.duckdb"), read_only=True) as snap:
        schemas = {r[0] for r in snap.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {"marts"}


def test_a_crash_before_the_swap_leaves_the_previous_snapshot_current_and_readable(tmp_path, monkeypatch):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    old, _ = publish(conn, published, keep=2, now=_at(0))
    conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT 'second' AS label")

    def power_cut(*_args):
        raise OSError("killed mid-publish")

    monkeypatch.setattr(publish_module, "swap_current", power_cut)
    with pytest.raises(OSError):
        publish(conn, published, keep=2, now=_at(1))
    assert current_target(published) == old
    assert _read_current(published) == "first"


def test_a_crash_while_copying_leaves_only_a_temporary_file_that_the_next_publish_removes(
    tmp_path, monkeypatch
):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    old, _ = publish(conn, published, keep=2, now=_at(0))
    real_write = publish_module.write_snapshot

    def dies_after_copying(conn_, target):
        real_write(conn_, target)
        raise KeyboardInterrupt  # the process is killed with the file half-done

    monkeypatch.setattr(publish_module, "write_snapshot", dies_after_copying)
    with pytest.raises(KeyboardInterrupt):
        publish(conn, published, keep=2, now=_at(1))
    assert _read_current(published) == "first"
    assert current_target(published) == old
    assert any(p.name.endswith(".tmp") for p in published.iterdir())  # never named like a snapshot

    monkeypatch.setattr(publish_module, "write_snapshot", real_write)
    conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT 'third' AS label")
    publish(conn, published, keep=2, now=_at(2))
    assert _read_current(published) == "third"
    assert not any(".tmp" in p.name for p in published.iterdir())


def test_old_snapshots_beyond_keep_are_pruned_and_current_is_never_removed(tmp_path):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "x")
    for minute in range(5):
        publish(conn, published, keep=2, now=_at(minute))
    names = sorted(p.name for p in published.iterdir())
    # current (minute 4) + the two newest older ones (minutes 3 and 2)
    assert names == [
        "current.duckdb",
        "snapshot-20260301T120200000000Z.duckdb",
        "snapshot-20260301T120300000000Z.duckdb",
        "snapshot-20260301T120400000000Z.duckdb",
    ]
    assert current_target(published).name == "snapshot-20260301T120400000000Z.duckdb"


def test_the_publish_asset_runs_after_the_marts_and_publishes_the_ledger(settings):
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    run_ingest(settings, publish=True)
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        assert snap.execute("SELECT source, file_name, rows_loaded FROM marts.ingest_ledger").fetchall() == [
            ("hp_employers", "a.csv", 1)
        ]
        assert snap.execute("SELECT count(*) FROM marts.quarantine").fetchone() == (0,)
