"""Publishing: a new snapshot file per run (a copy of the marts file), an atomic swap of current.duckdb, crash
safety and pruning."""

import datetime as dt

import duckdb
import pytest

import assets.publish as publish_module
from assets.publish import current_target, publish
from assets.warehouse import open_warehouse
from tests.pipeline.harness import header, land, run_ingest


def _warehouse_with_marts(tmp_path, label: str):
    conn = open_warehouse(tmp_path / "warehouse.duckdb")
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
    real_copy = publish_module.copy_marts

    def dies_after_copying(conn_, target):
        real_copy(conn_, target)
        raise KeyboardInterrupt  # the process is killed with the file half-done

    monkeypatch.setattr(publish_module, "copy_marts", dies_after_copying)
    with pytest.raises(KeyboardInterrupt):
        publish(conn, published, keep=2, now=_at(1))
    assert _read_current(published) == "first"
    assert current_target(published) == old
    assert any(p.name.endswith(".tmp") for p in published.iterdir())  # never named like a snapshot

    monkeypatch.setattr(publish_module, "copy_marts", real_copy)
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


def _labels(path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as snap:
        tables = [r[0] for r in snap.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: snap.execute(f"SELECT label FROM marts.{t}").fetchone()[0] for t in tables}


def test_each_publish_holds_the_marts_as_they_are_then_and_leaves_older_snapshots_alone(tmp_path):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    conn.execute("CREATE TABLE marts.kept AS SELECT 'old' AS label")
    conn.execute("CREATE TABLE marts.retired AS SELECT 'gone soon' AS label")
    old, _ = publish(conn, published, keep=2, now=_at(0))
    conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT 'second' AS label")
    conn.execute("DROP TABLE marts.retired")
    conn.execute("CREATE TABLE marts.added AS SELECT 'new' AS label")

    path, tables = publish(conn, published, keep=2, now=_at(1))
    assert tables == ["added", "example", "kept"]
    assert _labels(path) == {"added": "new", "example": "second", "kept": "old"}
    assert current_target(published) == path
    assert _labels(old) == {"example": "first", "kept": "old", "retired": "gone soon"}  # untouched


def test_a_snapshot_is_owner_only_and_opens_read_only_beside_the_running_pipeline(tmp_path):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    path, _ = publish(conn, published, keep=2, now=_at(0))
    assert path.stat().st_mode & 0o777 == 0o600
    # the warehouse connection (and its marts file) stays open, as during a run
    with duckdb.connect(str(published / "current.duckdb"), read_only=True) as snap:
        assert snap.execute("SELECT label FROM marts.example").fetchall() == [("first",)]
        with pytest.raises(duckdb.Error):
            snap.execute("CREATE TABLE marts.sneaked_in AS SELECT 1 AS x")


def test_a_copy_is_refused_when_the_marts_file_is_written_during_it(tmp_path, monkeypatch):
    published = tmp_path / "published"
    conn = _warehouse_with_marts(tmp_path, "first")
    old, _ = publish(conn, published, keep=2, now=_at(0))
    conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT 'second' AS label")
    real_copyfile = publish_module.shutil.copyfile

    def copy_while_a_step_writes(source, target):
        real_copyfile(source, target)
        conn.execute("CREATE OR REPLACE TABLE marts.example AS SELECT 'third' AS label")

    monkeypatch.setattr(publish_module.shutil, "copyfile", copy_while_a_step_writes)
    with pytest.raises(publish_module.MartsChanged):
        publish(conn, published, keep=2, now=_at(1))
    assert current_target(published) == old
    assert _read_current(published) == "first"


def test_the_publish_asset_copies_every_mart_of_the_run(settings):
    import dagster as dg

    from assets.ingestion.staging_assets import ingest_ledger, quarantine, staging_assets
    from assets.publish import PUBLISH_KEY, build_publish_asset
    from pipelines.resources import build_resources

    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    everything = [
        *staging_assets,
        ingest_ledger,
        quarantine,
        build_publish_asset([ingest_ledger.key, quarantine.key]),
    ]
    instance = dg.DagsterInstance.ephemeral()

    def run(*keys):
        result = dg.materialize(
            everything, selection=list(keys) or None, resources=build_resources(settings), instance=instance
        )
        (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == PUBLISH_KEY]
        return event.step_materialization_data.materialization.metadata["tables"].value

    assert run() == "ingest_ledger, quarantine"
    first = current_target(settings.published_dir)
    land(settings, "hp_employers", "b.csv", f"{header('hp_employers')}\nE2,Bolt,G-2\n")
    assert run() == "ingest_ledger, quarantine"  # everything again, with a new file
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        assert snap.execute("SELECT file_name FROM marts.ingest_ledger ORDER BY 1").fetchall() == [
            ("a.csv",),
            ("b.csv",),
        ]
    with duckdb.connect(str(first), read_only=True) as snap:
        assert snap.execute("SELECT file_name FROM marts.ingest_ledger").fetchall() == [("a.csv",)]
    # the warehouse holds no schema marts: the marts are in their own file, beside it
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as wh:
        assert wh.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'marts'").fetchall() == [
            (0,)
        ]
