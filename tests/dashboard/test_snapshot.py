import duckdb
import pytest

from reports.snapshot import NoSnapshotError, open_snapshot


def publish(settings, name: str, value: int) -> None:
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    path = settings.published_dir / name
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT ? AS v", [value])
    tmp = settings.published_dir / "current.tmp"
    tmp.symlink_to(path.name)
    tmp.replace(settings.current_snapshot)  # the atomic swap the pipeline does


def test_no_snapshot_yet_is_a_clear_error(settings):
    with pytest.raises(NoSnapshotError, match="No data has been published yet"), open_snapshot(settings):
        pass


def test_each_open_sees_the_snapshot_published_last_and_cannot_write(settings):
    publish(settings, "snap-1.duckdb", 1)
    with open_snapshot(settings) as conn:
        assert conn.execute("SELECT v FROM marts.t").fetchone() == (1,)
        with pytest.raises(duckdb.Error):
            conn.execute("CREATE TABLE marts.x (i INT)")
        publish(settings, "snap-2.duckdb", 2)
        assert conn.execute("SELECT v FROM marts.t").fetchone() == (1,)  # an open connection keeps its file
    with open_snapshot(settings) as conn:
        assert conn.execute("SELECT v FROM marts.t").fetchone() == (2,)


def test_the_snapshot_stays_loaded_between_opens_and_follows_a_new_publish(settings):
    from reports import snapshot

    publish(settings, "snap-1.duckdb", 1)
    with open_snapshot(settings) as conn:
        assert conn.execute("SELECT v FROM marts.t").fetchone() == (1,)
    assert list(snapshot._loaded) == [str(settings.published_dir / "snap-1.duckdb")]
    publish(settings, "snap-2.duckdb", 2)
    with open_snapshot(settings) as conn:
        assert conn.execute("SELECT v FROM marts.t").fetchone() == (2,)
    # only the current file is held: the old one is released (the pipeline prunes old snapshots)
    assert list(snapshot._loaded) == [str(settings.published_dir / "snap-2.duckdb")]
