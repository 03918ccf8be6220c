"""The health-plan reads' SQL: ``.sql`` files in this package, run against the published snapshot's marts.

The files name the marts unqualified (``FROM plan_members``); :func:`query` runs them with the
snapshot's schema
on the search path, so no statement is edited to point it at a schema (docs/architecture.md, "SQL
convention").
"""

from __future__ import annotations

import pyarrow as pa

from domain.marts import SCHEMA as MARTS
from domain.sql_files import load, search_path
from reports.snapshot import remembered


def query(conn, name: str, params: list | dict | None = None) -> pa.Table:
    """Run ``reports/health_plan/<name>.sql`` with ``params`` on the snapshot connection ``conn``."""
    text = load(__package__, name)
    if remembered(conn, ("search_path",), lambda: _search_path_of(conn)) == MARTS:
        # A connection from reports.snapshot.open_snapshot: it resolves names in marts already (and no
        # read changes that for good: search_path() puts it back).
        return conn.sql(text, params=params).to_arrow_table()
    with search_path(conn, MARTS):
        return conn.sql(text, params=params).to_arrow_table()


def _search_path_of(conn) -> str:
    ((path,),) = conn.execute("SELECT current_setting('search_path')").fetchall()
    return path
