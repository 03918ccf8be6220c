"""Conventions every asset module shares: asset keys, the run-settings resource, and writing a mart.

- Staging tables: ``staging.<source>`` (asset key ``["staging", source]``), typed per ``domain.contracts``, with
  lineage columns ``_file_name`` and ``_row_number``.
- Marts: ``marts.<name>`` (asset key ``["marts", name]``). Everything in schema ``marts`` is published.
- Every asset takes the ``duckdb`` resource (``DuckDBResource`` on the warehouse) and, where it needs the as-of date or
  the organisation's time zone, the ``run_settings`` resource.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

STAGING = "staging"
MARTS = "marts"


def staging_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([STAGING, source])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([MARTS, name])


class RunSettings(dg.ConfigurableResource):
    """The date the as-of marts are built for (``--as-of``; default today in the org time zone)."""

    as_of: str | None = None
    org_timezone: str = "America/Chicago"
    data_dir: str = "./data"

    def as_of_date(self) -> dt.date:
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        return dt.datetime.now(ZoneInfo(self.org_timezone)).date()


def replace_table(conn, name: str, select_sql: str, params: list | None = None) -> int:
    """Atomically (re)build ``name`` (``schema.table``) from a SELECT; returns its row count."""
    schema = name.split(".")[0]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.execute(f"CREATE OR REPLACE TABLE {name} AS {select_sql}", params or [])
    return conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]


def replace_table_from_df(conn, name: str, df, order_by: str | None = None) -> int:
    """(Re)build ``name`` from a pandas/arrow frame; ``order_by`` keeps reruns byte-for-byte identical."""
    schema = name.split(".")[0]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.register("_frame", df)
    try:
        order = f" ORDER BY {order_by}" if order_by else ""
        conn.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame{order}")
    finally:
        conn.unregister("_frame")
    return conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
