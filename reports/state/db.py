"""The dashboard's own state database: one engine per URL, a transaction helper, SQLite tuned on connect.

SQLite is the default (``Settings.state_db_url``): WAL so the dashboard's readers never wait on a writer, and
foreign keys switched on (SQLite leaves them off per connection). Nothing here is SQLite-only, so a
PostgreSQL URL works unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from domain.settings import Settings, chmod_private
from reports.state import audit_chain
from reports.state.models import Base

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _tune_sqlite(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Streamlit serves each browser tab on its own thread: wait briefly for a writer instead of failing.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _new_engine(url: str) -> Engine:
    parsed = make_url(url)
    on_disk = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
    if on_disk:
        Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    Base.metadata.create_all(engine)
    audit_chain.prepare(engine)
    if on_disk:  # owner-only: SQLite gives its -wal and -shm files the database file's mode
        chmod_private(Path(parsed.database))
    return engine


def get_engine(settings: Settings) -> Engine:
    """The engine of ``settings.state_db_url``, created (with its tables) on first use."""
    url = settings.state_db_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _new_engine(url)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests that delete their data directory call this)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception."""
    with Session(get_engine(settings), expire_on_commit=False) as session, session.begin():
        yield session
