"""The health-plan reads' SQL: ``.sql`` files in this package, run against the published snapshot's marts.

The files name the marts unqualified (``FROM plan_members``); :func:`query` runs them with the snapshot's
schema on the search path (:func:`reports.snapshot.in_marts`), so no statement is edited to point it at a
schema (docs/architecture.md, "SQL convention").
"""

from __future__ import annotations

import pyarrow as pa

from domain.sql_files import load
from reports.snapshot import in_marts


def query(conn, name: str, params: list | dict | None = None) -> pa.Table:
    """Run ``reports/health_plan/<name>.sql`` with ``params`` on the snapshot connection ``conn``."""
    with in_marts(conn):
        return conn.sql(load(__package__, name), params=params).to_arrow_table()
