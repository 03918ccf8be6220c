"""Read access to the published snapshot (``<data>/published/current.duckdb``), never to the warehouse.

The pipeline swaps ``current.duckdb`` atomically (a file or a link). Each :func:`open_snapshot` resolves it
anew, so a newly published snapshot is seen by the next query, while an open connection keeps reading the file
it opened. Connections are read-only and short-lived: the pipeline never waits on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from domain.settings import Settings


class NoSnapshotError(FileNotFoundError):
    """Nothing has been published yet."""


def current_snapshot_file(settings: Settings) -> Path:
    """The file ``current.duckdb`` points at right now (links followed)."""
    link = settings.current_snapshot
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        target = None
    if target is None or not target.is_file():
        raise NoSnapshotError(
            f"No data has been published yet ({link} does not exist). Run `portalytics materialize` first."
        )
    return target


@contextmanager
def open_snapshot(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only DuckDB connection on the current published snapshot."""
    conn = duckdb.connect(str(current_snapshot_file(settings)), read_only=True)
    try:
        yield conn
    finally:
        conn.close()
