"""Publish: copy the marts file to a new snapshot and swap ``current.duckdb`` to it.

The dashboard only ever opens ``published/current.duckdb`` read-only, never the warehouse, so the pipeline
never waits on it and it never waits on the pipeline. The swap is one ``os.replace`` of a symlink (atomic on
POSIX): a reader sees the old snapshot or the new one, never half of one. A crash before the swap leaves the
previous snapshot current; the half-written file carries a ``.tmp`` name and is cleaned up by the next
publish.

The marts live in their own DuckDB file (``assets.warehouse``, schema ``marts``), so a snapshot is that file:
a CHECKPOINT puts every committed mart into it, and ``shutil.copyfile`` (the kernel's copy) writes the copy.
Nothing is re-written or re-compressed, whether one mart changed or all of them. The publish depends on every
mart, so no step writes the marts file while it is copied; the copy is refused if the file changed meanwhile.
"""

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.warehouse import MART_STORE, mart_tables
from domain.settings import chmod_private

PUBLISH_KEY = dg.AssetKey(["published", "snapshot"])
CURRENT = "current.duckdb"
PREFIX = "snapshot-"
SUFFIX = ".duckdb"


class PublishTarget(dg.ConfigurableResource):
    """Where snapshots are written and how many older ones are kept beside the current one."""

    published_dir: str
    keep_snapshots: int = 2


def snapshot_name(now: dt.datetime) -> str:
    return f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


class MartsChanged(RuntimeError):
    """The marts file was written while it was being copied: that copy is not published."""


def copy_marts(conn, target: Path) -> list[str]:
    """Checkpoint the marts file attached to ``conn`` and copy it to ``target``; returns its tables."""
    tables = mart_tables(conn)
    ((path,),) = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = ?", [MART_STORE]
    ).fetchall()
    if not path:
        raise ValueError("the marts are in memory: there is no file to publish")
    source = Path(path)
    conn.execute(f"CHECKPOINT {MART_STORE}")  # every committed mart into the file; the WAL emptied
    before = _state(source)
    shutil.copyfile(source, target)
    if _state(source) != before or before[2]:
        raise MartsChanged(f"{source} was written while it was copied to {target.name}")
    return tables


def _state(marts_file: Path) -> tuple[int, int, int]:
    """(size, mtime in ns, bytes in its WAL): any write to the file or a commit changes it."""
    st = marts_file.stat()
    wal = Path(f"{marts_file}.wal")
    return st.st_size, st.st_mtime_ns, wal.stat().st_size if wal.exists() else 0


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


def publish(conn, published: Path, keep: int, now: dt.datetime | None = None) -> tuple[Path, list[str]]:
    """Copy the marts file to a new snapshot and make it current; returns its path and the tables it holds."""
    published.mkdir(parents=True, exist_ok=True)
    final = published / snapshot_name(now or dt.datetime.now(dt.UTC))
    partial = published / f".{final.name}.tmp"
    for leftover in published.glob(".*.tmp*"):  # a crashed earlier publish
        leftover.unlink(missing_ok=True)
    tables = copy_marts(conn, partial)
    chmod_private(partial)  # owner-only whatever the umask: it holds personal data
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
        description="Copies the marts file to published/snapshot-<UTC time>.duckdb and swaps "
        "current.duckdb to it.",
    )
    def published_snapshot(duckdb: DuckDBResource, publish_target: PublishTarget) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            path, tables = publish(conn, Path(publish_target.published_dir), publish_target.keep_snapshots)
        return dg.MaterializeResult(
            metadata={
                "snapshot": path.name,
                "tables": ", ".join(tables),
                "table_count": len(tables),
                "bytes": path.stat().st_size,
            }
        )

    return published_snapshot
