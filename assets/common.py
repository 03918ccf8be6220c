"""Conventions every asset module shares: asset keys, the run-settings resource, and writing a mart.

- Staging tables: ``staging.<source>`` (asset key ``["staging", source]``), typed per ``domain.contracts``,
  with lineage columns ``_file_name`` and ``_row_number``.
- Marts: ``marts.<name>`` (asset key ``["marts", name]``). Everything in schema ``marts`` is published.
- Every asset takes the ``duckdb`` resource (``DuckDBResource`` on the warehouse) and, where it needs the
  as-of date or the organisation's time zone, the ``run_settings`` resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import dagster as dg

from assets.warehouse import MART_STORE
from domain import marts
from domain.marts import SCHEMA as MARTS
from domain.settings import DEFAULT_ORG_TIMEZONE

STAGING = "staging"

#: ``op_tags`` key: a step tagged ``{RUN_ALONE_TAG: "true"}`` runs with no other step beside it
#: (``pipelines.side_by_side``).
RUN_ALONE_TAG = "portalytics/run_alone"
#: ``op_tags`` key: steps tagged ``{HEAVY_TAG: "true"}`` hold memory beyond DuckDB's shared pool that grows
#: with the data; on a large landing no two of them run side by side (``pipelines.side_by_side``).
HEAVY_TAG = "portalytics/heavy"


def staging_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([STAGING, source])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([MARTS, name])


def with_registry_entry(spec: dg.AssetSpec) -> dg.AssetSpec:
    """A mart asset's spec with its description and column schema from the mart registry
    (``domain.marts``), so Dagster's UI shows them; other specs unchanged. A mart without an entry fails
    here, when the code loads."""
    if spec.key.path[0] != MARTS:
        return spec
    entry = marts.get(spec.key.path[-1])
    columns = dg.TableSchema(
        columns=[dg.TableColumn(c.name, c.type, description=c.description or None) for c in entry.columns]
    )
    return spec.replace_attributes(description=entry.description).merge_attributes(
        metadata={"dagster/column_schema": columns, "dagster/table_name": entry.table}
    )


class RunSettings(dg.ConfigurableResource):
    """The date the as-of marts are built for (``--as-of``; default today in the org time zone)."""

    as_of: str | None = None
    org_timezone: str = DEFAULT_ORG_TIMEZONE
    data_dir: str = "./data"

    #: How many month-ends ``marts.compliance_history`` keeps at most (the most recent ones).
    history_months: int = 36

    def as_of_date(self) -> dt.date:
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        return dt.datetime.now(ZoneInfo(self.org_timezone)).date()

    def as_of_within(self, data_last_day: dt.date | None) -> dt.date:
        """``--as-of`` when given; otherwise today, or the data's last day when today is past it."""
        from domain.learning.compliance import default_as_of

        return self.as_of_date() if self.as_of else default_as_of(self.as_of_date(), data_last_day)


def replace_table(conn, name: str, select_sql: str, params: list | dict | None = None) -> int:
    """Atomically (re)build ``name`` (``schema.table``) from a SELECT; returns its row count."""
    schema = name.split(".")[0]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")  # marts: see table_exists
    conn.execute(f"CREATE OR REPLACE TABLE {name} AS {select_sql}", params or [])
    return conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]


def replace_table_from_df(conn, name: str, df, order_by: str | None = None) -> int:
    """(Re)build ``name`` from a pandas/arrow frame; ``order_by`` keeps reruns byte-for-byte identical."""
    schema = name.split(".")[0]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")  # marts: see table_exists
    conn.register("_frame", df)
    try:
        order = f" ORDER BY {order_by}" if order_by else ""
        conn.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame{order}")
    finally:
        conn.unregister("_frame")
    return conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]


def table_exists(conn, schema: str, table: str) -> bool:
    """Whether ``schema.table`` exists in the warehouse or, for ``marts``, in the marts file.

    A warehouse connection resolves ``marts.x`` to the marts file (``assets.warehouse``), and there
    ``CREATE SCHEMA IF NOT EXISTS marts`` finds the marts file's schema rather than creating one in the
    warehouse; a connection without a marts file (a scratch database) has its own schema ``marts``."""
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name IN (current_database(), ?) "
            "AND schema_name = ? AND table_name = ?",
            [MART_STORE, schema, table],
        ).fetchall()[0][0]
    )


def write_ibis_mart(conn, name: str, expr, order_by: str | Sequence[str] | None = None) -> int:
    """(Re)build ``marts.<name>`` from an Ibis expression; returns its row count.

    The result is cast to the expression's own schema, because DuckDB widens some results (date + months is a
    TIMESTAMP, a sum of BIGINT a HUGEINT) where Ibis already believes the type is right and drops the cast;
    and rows are stored in ``order_by`` order so reruns are identical.
    """
    return replace_table(conn, f"{MARTS}.{name}", _typed_select(expr, order_by))


def write_ibis_mart_in_parts(conn, name: str, parts: Sequence, order_by: str | Sequence[str]) -> int:
    """(Re)build ``marts.<name>`` from ``parts`` (Ibis expressions of one schema), one part at a time and in
    one transaction; returns its row count.

    For a mart whose rows are ordered first by the part they come from (``compliance_history``: parts of
    consecutive month-ends, ordered by month-end), each part sorted on its own and appended in turn is the
    same table, row for row, as the union of the parts sorted at once; but DuckDB then only holds one part's
    work in memory. At the large scale the union at once ran out of its 4 GB (36 month-ends of 250k people).
    """
    table = f"{MARTS}.{name}"
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS}")
    conn.execute("BEGIN TRANSACTION")
    try:
        for i, part in enumerate(parts):
            select = _typed_select(part, order_by)
            conn.execute(
                f"CREATE OR REPLACE TABLE {table} AS {select}" if i == 0 else f"INSERT INTO {table} {select}"
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _typed_select(expr, order_by: str | Sequence[str] | None) -> str:
    import ibis
    from ibis.backends.sql.datatypes import DuckDBType

    sql = ibis.to_sql(expr, dialect="duckdb")
    typed = ", ".join(f'CAST("{n}" AS {DuckDBType.to_string(t)}) AS "{n}"' for n, t in expr.schema().items())
    order = order_by if isinstance(order_by, str) or order_by is None else ", ".join(order_by)
    return f"SELECT {typed} FROM ({sql})" + (f" ORDER BY {order}" if order else "")
