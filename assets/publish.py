"""Publish: write a new snapshot of schema ``marts`` and swap ``current.duckdb`` to it.

The dashboard only ever opens ``published/current.duckdb`` read-only, never the warehouse, so the pipeline
never waits on it and it never waits on the pipeline. The swap is one ``os.replace`` of a symlink (atomic on
POSIX): a reader sees the old snapshot or the new one, never half of one. A crash before the swap leaves the
previous snapshot current; the half-written file carries a ``.tmp`` name and is cleaned up by the next
publish.

Incremental: a run that rebuilt a few marts does not copy the other forty. The new snapshot starts as a file
copy of the current one (``shutil.copyfile``: one sequential copy) and only the marts built since that
snapshot are replaced in it. "Built since" is decided per table by a build marker: the run id and event id of
the mart's latest materialization in Dagster's event log. Each publish records the markers it published in
``pipeline.published_marts`` (with the snapshot's name) *after* the swap; a table whose marker differs, has
none (not an asset) or is missing from the snapshot is copied, a snapshot table no longer in ``marts`` is
dropped. With no usable record (first publish, another current snapshot, a crash after the swap) everything is
copied.
"""

import datetime as dt
import os
import shutil
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import MARTS
from domain.settings import chmod_private
from domain.sql_text import quote_ident

PUBLISH_KEY = dg.AssetKey(["published", "snapshot"])
CURRENT = "current.duckdb"
PREFIX = "snapshot-"
SUFFIX = ".duckdb"
SNAPSHOT_ALIAS = "snapshot"
#: In the warehouse: the build marker of every mart in the snapshot that was last published.
PUBLISHED_MARTS = "pipeline.published_marts"


class PublishTarget(dg.ConfigurableResource):
    """Where snapshots are written and how many older ones are kept beside the current one."""

    published_dir: str
    keep_snapshots: int = 2


def snapshot_name(now: dt.datetime) -> str:
    return f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


def mart_tables(conn, catalog: str | None = None) -> list[str]:
    """Tables of schema ``marts`` in ``catalog`` (default: the warehouse), by name."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_catalog = "
            + ("?" if catalog else "current_database()")
            + " ORDER BY table_name",
            [MARTS, catalog] if catalog else [MARTS],
        ).fetchall()
    ]


def _copy_table(conn, table: str, replace: bool) -> None:
    verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    conn.execute(
        f"{verb} {SNAPSHOT_ALIAS}.{MARTS}.{quote_ident(table)} AS SELECT * FROM {MARTS}.{quote_ident(table)}"
    )


def write_snapshot(conn, target: Path) -> list[str]:
    """Copy every table of ``marts`` into a new DuckDB file ``target``; returns the table names."""
    tables = mart_tables(conn)
    conn.execute(f"ATTACH ? AS {SNAPSHOT_ALIAS}", [str(target)])
    try:
        conn.execute(f"CREATE SCHEMA {SNAPSHOT_ALIAS}.{MARTS}")
        for t in tables:
            _copy_table(conn, t, replace=False)
    finally:
        conn.execute(f"DETACH {SNAPSHOT_ALIAS}")
    return tables


def update_snapshot(
    conn, current: Path, target: Path, unchanged: Collection[str]
) -> tuple[list[str], list[str]]:
    """``target`` = a file copy of ``current`` with every mart not in ``unchanged`` copied afresh from the
    warehouse and tables no longer in ``marts`` dropped; returns (the snapshot's tables, the tables
    written)."""
    shutil.copyfile(current, target)
    tables = mart_tables(conn)
    conn.execute(f"ATTACH ? AS {SNAPSHOT_ALIAS}", [str(target)])
    try:
        existing = set(mart_tables(conn, SNAPSHOT_ALIAS))
        written = [t for t in tables if t not in unchanged or t not in existing]
        for t in sorted(existing - set(tables)):
            conn.execute(f"DROP TABLE {SNAPSHOT_ALIAS}.{MARTS}.{quote_ident(t)}")
        for t in written:
            _copy_table(conn, t, replace=True)
    finally:
        conn.execute(f"DETACH {SNAPSHOT_ALIAS}")
    return tables, written


def swap_current(published: Path, snapshot: Path) -> None:
    """Point ``current.duckdb`` at ``snapshot`` atomically (a relative symlink; a hard link where links
    fail)."""
    staged = published / f".{CURRENT}.{snapshot.stem}.tmp"
    staged.unlink(missing_ok=True)
    try:
        staged.symlink_to(snapshot.name)
    except OSError:
        os.link(snapshot, staged)
    os.replace(staged, published / CURRENT)


def current_target(published: Path) -> Path | None:
    current = published / CURRENT
    if current.is_symlink():
        return published / os.readlink(current)
    return current if current.exists() else None


def prune(published: Path, keep: int) -> list[str]:
    """Delete snapshots beyond the current one and the ``keep`` newest others; also stale ``.tmp`` files."""
    current = current_target(published)
    removed = []
    for stale in published.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
        removed.append(stale.name)
    older = sorted((p for p in published.glob(f"{PREFIX}*{SUFFIX}") if p != current), reverse=True)
    for old in older[keep:]:
        old.unlink(missing_ok=True)
        Path(f"{old}.wal").unlink(missing_ok=True)
        removed.append(old.name)
    return removed


def publish(
    conn, published: Path, keep: int, now: dt.datetime | None = None, unchanged: Collection[str] = ()
) -> tuple[Path, list[str]]:
    """Write a new snapshot of ``marts`` and make it current; returns its path and the tables it holds.

    ``unchanged`` names marts known to be the same as in the current snapshot: the new snapshot then starts as
    a copy of the current one and only the other marts are written. Empty (the default): every mart is copied.
    """
    published.mkdir(parents=True, exist_ok=True)
    final = published / snapshot_name(now or dt.datetime.now(dt.UTC))
    partial = published / f".{final.name}.tmp"
    for leftover in published.glob(".*.tmp*"):  # a crashed earlier publish
        leftover.unlink(missing_ok=True)
    current = current_target(published)
    if unchanged and current is not None and current.exists():
        tables, _ = update_snapshot(conn, current, partial, unchanged)
    else:
        tables = write_snapshot(conn, partial)
    chmod_private(partial)  # owner-only whatever the umask: it holds personal data
    os.replace(partial, final)
    swap_current(published, final)
    prune(published, keep)
    return final, tables


def build_markers(instance: dg.DagsterInstance, keys: Sequence[dg.AssetKey]) -> dict[str, str]:
    """mart table → ``<run id>/<event id>`` of its latest materialization (marts never materialized:
    absent)."""
    markers = {}
    for record in instance.get_asset_records(list(keys)):
        latest = record.asset_entry.last_materialization_record
        if latest is not None and record.asset_entry.asset_key.path[0] == MARTS:
            markers[record.asset_entry.asset_key.path[-1]] = f"{latest.run_id}/{latest.storage_id}"
    return markers


def published_markers(conn, snapshot: Path | None) -> dict[str, str]:
    """The markers recorded when ``snapshot`` was published (none if it was not the last one recorded)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS pipeline")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {PUBLISHED_MARTS} (snapshot VARCHAR, table_name VARCHAR, marker VARCHAR)"
    )
    if snapshot is None:
        return {}
    rows = conn.execute(
        f"SELECT table_name, marker FROM {PUBLISHED_MARTS} WHERE snapshot = ?", [snapshot.name]
    ).fetchall()
    return dict(rows)


def record_published(conn, snapshot: Path, markers: Mapping[str, str]) -> None:
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {PUBLISHED_MARTS}")
        for table, marker in sorted(markers.items()):
            conn.execute(f"INSERT INTO {PUBLISHED_MARTS} VALUES (?, ?, ?)", [snapshot.name, table, marker])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def build_publish_asset(mart_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publish asset depends on every mart, so it runs last; built from the loaded asset specs."""

    @dg.asset(
        key=PUBLISH_KEY,
        deps=sorted(mart_keys, key=lambda k: k.to_user_string()),
        group_name="publish",
        kinds={"duckdb"},
        description="Writes published/snapshot-<UTC time>.duckdb (a copy of the current snapshot with the "
        "marts built "
        "since replaced; everything on a first publish) and swaps current.duckdb to it.",
    )
    def published_snapshot(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, publish_target: PublishTarget
    ) -> dg.MaterializeResult:
        published = Path(publish_target.published_dir)
        markers = build_markers(context.instance, mart_keys)
        with duckdb.get_connection() as conn:
            before = published_markers(conn, current_target(published))
            unchanged = {t for t, m in markers.items() if before.get(t) == m}
            path, tables = publish(conn, published, publish_target.keep_snapshots, unchanged=unchanged)
            record_published(conn, path, markers)  # after the swap: a crash before it means "copy everything"
        written = [t for t in tables if t not in unchanged]
        return dg.MaterializeResult(
            metadata={
                "snapshot": path.name,
                "tables": ", ".join(tables),
                "table_count": len(tables),
                "tables_written": ", ".join(written),
                "tables_kept": len(tables) - len(written),
            }
        )

    return published_snapshot
