"""The duplicate queue's facts of one published snapshot, read once per snapshot file and shared read-only
between sessions (a process-wide cache of the current snapshot and the one before)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from reports.ce.duplicate_cases import AccountCard, PairEvidence
from reports.ce.duplicate_marts import (
    CLUSTER_WANTED,
    CLUSTERS,
    PAIRS,
    mart_columns,
    read_cards,
    read_pairs,
    read_published_decisions,
    read_records,
    read_survivor_map,
)


@dataclass(frozen=True)
class QueueSnapshot:
    """What the queue needs of one published snapshot; shared read-only between sessions (see
    :func:`queue_snapshot`)."""

    columns: dict[str, set[str]]
    #: cluster id → its rows of the clusters mart, clusters in id order
    rows_of: dict[str, list[dict]]
    members: dict[str, tuple[str, ...]]
    cluster_of: dict[str, str]
    login: dict[str, str | None]
    cards: dict[str, AccountCard]
    pairs_of: dict[str, list[PairEvidence]]
    published: dict[int, tuple[str, ...]] | None
    survivors: dict[str, str] | None


def _read_queue_snapshot(conn) -> QueueSnapshot:
    columns = mart_columns(conn)
    for needed in (CLUSTERS, PAIRS):
        if needed not in columns:
            raise ValueError(
                f"marts.{needed} is not in the published snapshot: run `portalytics materialize`"
            )
    facts = read_records(
        conn, columns, CLUSTERS, CLUSTER_WANTED, ["cluster_id", "account_id", "classification"]
    )
    rows_of: dict[str, list[dict]] = {}
    for row in facts:
        row["cluster_id"], row["account_id"] = str(row["cluster_id"]), str(row["account_id"])
        rows_of.setdefault(row["cluster_id"], []).append(row)
    rows_of = dict(sorted(rows_of.items()))
    login = {r["account_id"]: r["login_method"] for r in facts}
    return QueueSnapshot(
        columns=columns,
        rows_of=rows_of,
        members={c: tuple(sorted(r["account_id"] for r in rows)) for c, rows in rows_of.items()},
        cluster_of={r["account_id"]: r["cluster_id"] for r in facts},
        login=login,
        cards=read_cards(conn, columns, login, None),
        pairs_of=read_pairs(conn, columns, None),
        published=read_published_decisions(conn, columns),
        survivors=read_survivor_map(conn, columns),
    )


#: Snapshots whose queue facts are kept: the current one and the one before (a page may still be reading it).
_CACHED_SNAPSHOTS = 2
_cache: OrderedDict[tuple, QueueSnapshot] = OrderedDict()
_cache_lock = threading.Lock()


def _snapshot_identity(conn) -> tuple | None:
    """The snapshot file behind ``conn`` (path, inode, mtime, size), or None for a database without a file."""
    rows = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    if not path or not os.path.isfile(path):
        return None
    st = os.stat(path)
    return (os.path.realpath(path), st.st_ino, st.st_mtime_ns, st.st_size)


def queue_snapshot(conn) -> QueueSnapshot:
    """The queue's facts of the snapshot ``conn`` reads, read once per snapshot file.

    A published snapshot is never written again (each publish is a new file, swapped in), so its facts can be
    kept while it is current; the decisions, which change between publishes, are always read afresh."""
    key = _snapshot_identity(conn)
    if key is None:
        return _read_queue_snapshot(conn)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    snapshot = _read_queue_snapshot(conn)
    with _cache_lock:
        _cache[key] = snapshot
        while len(_cache) > _CACHED_SNAPSHOTS:
            _cache.popitem(last=False)
    return snapshot
