"""The warehouse and its marts file: the one way to open them together.

The marts live in their own DuckDB file beside the warehouse (``mart_store.duckdb``, schema ``marts``), so
that publishing them is a copy of that file instead of re-writing (and re-compressing) every mart into a new
one (``assets.publish``). The warehouse keeps ``staging``, ``ingest`` and ``pipeline``.

A connection to the warehouse ATTACHes the marts file as ``mart_store`` and sets its search path to the
warehouse's ``main`` and ``mart_store.marts``: ``marts.<name>`` then names the marts file's table in every
statement (``CREATE OR REPLACE TABLE marts.x AS ...``, ``SELECT ... FROM marts.x``, Ibis's ``"marts"."x"``),
so no mart's SQL names the file. ATTACH holds for the database instance (every connection of the process to
the warehouse), the search path for one connection or cursor only: :func:`with_marts` is applied to each one.

A warehouse written before the marts moved holds them in its own schema ``marts``; the first writable opening
of the instance moves them into the marts file and drops that schema (:func:`_move_old_marts`). The warehouse
must never hold a schema ``marts`` again: beside the search path it would be a second meaning of
``marts.<name>``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from domain.marts import SCHEMA as MARTS
from domain.sql_text import quote_ident, quote_str

#: The catalog name of the attached marts file.
MART_STORE = "mart_store"
#: The marts file's name, beside the warehouse. Not ``marts.duckdb``: opened on its own, that file's catalog
#: would be ``marts`` like its schema, and ``marts.<name>`` would be ambiguous to DuckDB.
MARTS_FILE = f"{MART_STORE}.duckdb"


def marts_path(warehouse: str | Path) -> Path:
    """The marts file of the warehouse at ``warehouse``."""
    return Path(warehouse).with_name(MARTS_FILE)


def open_warehouse(
    path: str | Path, read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse at ``path`` with its marts attached (see the module docstring)."""
    conn = duckdb.connect(str(path), read_only=read_only, config=config or {})
    try:
        return with_marts(conn)
    except BaseException:
        conn.close()
        raise


def with_marts(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Attach the marts file to ``conn``'s database instance (once per instance) and set ``conn``'s search
    path so that ``marts.<name>`` is the marts file's table; returns ``conn``.

    A read-only connection whose marts file does not exist yet gets no marts (it only reads the warehouse); a
    read-only one to a warehouse that still holds its old schema ``marts`` reads those."""
    ((catalog, path, read_only),) = conn.execute(
        "SELECT database_name, path, readonly FROM duckdb_databases() "
        "WHERE database_name = current_database()"
    ).fetchall()
    attached = conn.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [MART_STORE]
    ).fetchall()[0][0]
    if not attached:
        store = ":memory:" if not path else str(marts_path(path))
        if read_only and (_has_old_marts(conn, catalog) or (path and not Path(store).exists())):
            conn.execute(f"SET search_path = {quote_str(f'{quote_ident(catalog)}.main')}")
            return conn
        mode = " (READ_ONLY)" if read_only else ""
        conn.execute(f"ATTACH IF NOT EXISTS {quote_str(store)} AS {MART_STORE}{mode}")
        if not read_only:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {MART_STORE}.{MARTS}")
            _move_old_marts(conn, catalog)
    search_path = f"{quote_ident(catalog)}.main,{MART_STORE}.{MARTS}"
    conn.execute(f"SET search_path = {quote_str(search_path)}")
    return conn


def mart_tables(conn, catalog: str = MART_STORE) -> list[str]:
    """Tables of schema ``marts`` in ``catalog`` (default: the marts file), by name."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
            "ORDER BY table_name",
            [catalog, MARTS],
        ).fetchall()
    ]


def _has_old_marts(conn, catalog: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?",
            [catalog, MARTS],
        ).fetchall()[0][0]
    )


def _move_old_marts(conn, catalog: str) -> None:
    """Move the tables of the warehouse's own schema ``marts`` (a warehouse written before the marts file)
    into the marts file, then drop that schema.

    DuckDB lets one transaction write one attached database only, so each table is copied in its own
    transaction and the schema is dropped last: a crash in between leaves the warehouse's copy, and the next
    opening copies it again (``OR REPLACE``) before dropping it."""
    if not _has_old_marts(conn, catalog):
        return
    old = f"{quote_ident(catalog)}.{MARTS}"
    for table in mart_tables(conn, catalog):
        name = quote_ident(table)
        conn.execute(f"CREATE OR REPLACE TABLE {MART_STORE}.{MARTS}.{name} AS SELECT * FROM {old}.{name}")
    conn.execute(f"DROP SCHEMA {old} CASCADE")


def checkpoint_if_free(conn) -> bool:
    """Checkpoint the warehouse now if DuckDB allows it beside what else runs; True if it did.

    Why here: checkpoints DuckDB would make on commit are skipped while another step's transaction is open,
    which with steps side by side is most of the time, so the whole work fell on the last connection's close
    after every step (4.4-6.7 s of one core at the end of the medium run, nothing beside it). After an ingest
    the step beside it is working too, so the cost overlaps."""
    try:
        conn.execute("CHECKPOINT")
    except duckdb.TransactionException:  # another transaction is writing: the next checkpoint does it
        return False
    return True
