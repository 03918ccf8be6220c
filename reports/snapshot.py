"""Read access to the published snapshot (``<data>/published/current.duckdb``), never to the warehouse.

The pipeline swaps ``current.duckdb`` atomically (a file or a link). Each :func:`open_snapshot` resolves it
anew, so a newly published snapshot is seen by the next query, while an open connection keeps reading the file
it opened. Connections are read-only and short-lived: the pipeline never waits on the dashboard.

One more read-only connection is kept open on the current file (:func:`_keep_loaded`): DuckDB shares one
database instance among a process's connections to the same file, so each page run's connect finds the
snapshot loaded instead of reading its catalog again (about 35 ms per rerun at medium). It moves to the new
file when the next open finds ``current.duckdb`` swapped; connections still open on the old file keep working.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis

from domain.marts import SCHEMA as MARTS
from domain.settings import Settings
from domain.sql_files import search_path


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


_loaded: dict[str, duckdb.DuckDBPyConnection] = {}
_loaded_lock = threading.Lock()


def _keep_loaded(path: Path) -> None:
    """Hold a connection on ``path`` (and on no other snapshot) so the next connect to it is cheap."""
    key = str(path)
    with _loaded_lock:
        if key in _loaded:
            return
        stale = list(_loaded.values())
        _loaded.clear()
        _loaded[key] = duckdb.connect(key, read_only=True)
    for conn in stale:
        conn.close()


@contextmanager
def open_snapshot(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only DuckDB connection on the current published snapshot."""
    target = current_snapshot_file(settings)
    _keep_loaded(target)
    conn = duckdb.connect(str(target), read_only=True)
    # Reads written as .sql files name marts unqualified (docs/architecture.md, "SQL convention"): resolving
    # them here once spares each read setting and resetting the search path.
    conn.execute("SET search_path = ?", [MARTS])
    try:
        yield conn
    finally:
        conn.close()


#: Recent (connection, Ibis backend) pairs. Making a backend runs setup queries (time zone, version) and a
#: page asks for several tables per run on one connection, so the backend is made once per connection.
_backends: deque = deque(maxlen=16)


def ibis_backend(conn: duckdb.DuckDBPyConnection):
    """Ibis over ``conn`` (a snapshot connection; read-only is fine), the same backend for the same
    connection."""
    with _loaded_lock:
        for known, backend in _backends:
            if known is conn:
                return backend
    # On a cursor of its own: a result the page's code left unfetched on ``conn`` must not block Ibis's
    # queries.
    backend = ibis.duckdb.from_connection(conn.cursor())
    with _loaded_lock:
        _backends.append((conn, backend))
    return backend


#: Recent (connection, answers) pairs: reads a page repeats within one run on one connection (a snapshot is
#: read-only, so an answer stays right for as long as the connection is open).
_answers: deque = deque(maxlen=16)


def remembered(conn: duckdb.DuckDBPyConnection, key: tuple, compute):
    """``compute()``, worked out once per connection and ``key`` (``key`` names the read and its
    arguments)."""
    with _loaded_lock:
        answers = next((a for known, a in _answers if known is conn), None)
        if answers is None:
            answers = {}
            _answers.append((conn, answers))
    if key not in answers:
        answers[key] = compute()
    return answers[key]


@contextmanager
def in_marts(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Resolve unqualified table names in the marts inside the block: at no cost on a connection from
    :func:`open_snapshot` (it starts there, and nothing on the read side leaves it elsewhere), else through
    :func:`domain.sql_files.search_path`, which puts the connection's path back."""
    if remembered(conn, ("search_path",), lambda: _search_path_of(conn)) == MARTS:
        yield
        return
    with search_path(conn, MARTS):
        yield


def _search_path_of(conn: duckdb.DuckDBPyConnection) -> str:
    ((path,),) = conn.execute("SELECT current_setting('search_path')").fetchall()
    return path
