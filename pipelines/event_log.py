"""Dagster's SQLite event log with one open connection per database file for the life of the process.

Dagster 1.13's ``SqliteEventLogStorage`` opens a new engine and connection for every event it stores and
commits it with a full sync; closing the last connection of a WAL database checkpoints it. A materialize
stores thousands of events (asset events are written twice: the run's file and ``index.db``), and that
cost seconds of every run. This subclass keeps each file's connection open, commits with
``synchronous=NORMAL`` (WAL: durable across a crash of the process, the last commits may be lost on a
power cut, the file is never corrupted), and checkpoints at most once a second so that a webserver
watching the run's file still sees it move. The files, schema and rows are Dagster's own: ``dagster dev``
and the daemon read them with the stock class.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._config import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool

CHECKPOINT_SECONDS = 1.0  # how stale a webserver's live view of the run may get (it watches the main file)


class OpenSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that reuses one connection per shard until :meth:`dispose`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
        self._checkpointed: dict[str, float] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # ty: ignore[invalid-method-override]
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            if shard not in self._initialized_dbs:  # as the stock class does, on a throwaway engine
                init_engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                self._initdb(init_engine)
                init_engine.dispose()
                self._initialized_dbs.add(shard)
            # one connection, shared by the threads that take _db_lock (the event-log watcher too)
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _pragmas)
            self._engines[shard] = engine
            self._checkpointed[shard] = time.monotonic()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn:
            with conn.begin():
                yield conn
            now = time.monotonic()
            if now - self._checkpointed[shard] >= CHECKPOINT_SECONDS:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                self._checkpointed[shard] = now

    def dispose(self) -> None:
        super().dispose()
        self._close()

    def wipe(self) -> None:
        self._close()  # the run files it deletes must not stay open here
        super().wipe()

    def _close(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()  # closing the last connection checkpoints the file
            self._engines.clear()


def _pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
