"""Publish: copy every table of schema ``marts`` into a new snapshot file and swap ``current.duckdb`` to it.

The dashboard only ever opens ``published/current.duckdb`` read-only, never the warehouse, so the pipeline never
waits on it and it never waits on the pipeline. The swap is one ``os.replace`` of a symlink (atomic on POSIX): a
reader sees the old snapshot or the new one, never half of one. A crash before the swap leaves the previous
snapshot current; the half-written file carries a ``.tmp`` name and is cleaned up by the next publish.
"""

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import MARTS
from assets.ingestion.rules import quote_ident, quote_str

PUBLISH_KEY = dg.AssetKey(["published", "snapshot"])
CURRENT = "current.duckdb"
PREFIX = "snapshot-"
SUFFIX = ".duckdb"
SNAPSHOT_ALIAS = "snapshot"


class PublishTarget(dg.ConfigurableResource):
    """Where snapshots are written and how many older ones are kept beside the current one."""

    published_dir: str
    keep_snapshots: int = 2


def snapshot_name(now: dt.datetime) -> str:
    return f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


def write_snapshot(conn, target: Path) -> list[str]:
    """Copy every table and view of ``marts`` into a new DuckDB file ``target``; returns the table names."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_catalog = "
            "current_database() ORDER BY table_name",
            [MARTS],
        ).fetchall()
    ]
    conn.execute(f"ATTACH {quote_str(str(target))} AS {SNAPSHOT_ALIAS}")
    try:
        conn.execute(f"CREATE SCHEMA {SNAPSHOT_ALIAS}.{MARTS}")
        for t in tables:
            conn.execute(
                f"CREATE TABLE {SNAPSHOT_ALIAS}.{MARTS}.{quote_ident(t)} AS SELECT * FROM {MARTS}.{quote_ident(t)}"
            )
    finally:
        conn.execute(f"DETACH {SNAPSHOT_ALIAS}")
    return tables


def swap_current(published: Path, snapshot: Path) -> None:
    """Point ``current.duckdb`` at ``snapshot`` atomically (a relative symlink; a hard link where links fail)."""
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


def publish(conn, published: Path, keep: int, now: dt.datetime | None = None) -> tuple[Path, list[str]]:
    """Write a new snapshot of ``marts`` and make it current; returns its path and the tables it holds."""
    published.mkdir(parents=True, exist_ok=True)
    final = published / snapshot_name(now or dt.datetime.now(dt.UTC))
    partial = published / f".{final.name}.tmp"
    for leftover in published.glob(".*.tmp*"):  # a crashed earlier publish
        leftover.unlink(missing_ok=True)
    tables = write_snapshot(conn, partial)
    os.replace(partial, final)
    swap_current(published, final)
    prune(published, keep)
    return final, tables


def build_publish_asset(mart_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publish asset depends on every mart, so it runs last; built from the loaded asset specs."""

    @dg.asset(
        key=PUBLISH_KEY,
        deps=sorted(mart_keys, key=lambda k: k.to_user_string()),
        group_name="publish",
        kinds={"duckdb"},
        description="Copies schema marts into published/snapshot-<UTC time>.duckdb and swaps current.duckdb to it.",
    )
    def published_snapshot(duckdb: DuckDBResource, publish_target: PublishTarget) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            path, tables = publish(conn, Path(publish_target.published_dir), publish_target.keep_snapshots)
        return dg.MaterializeResult(
            metadata={"snapshot": path.name, "tables": ", ".join(tables), "table_count": len(tables)}
        )

    return published_snapshot
