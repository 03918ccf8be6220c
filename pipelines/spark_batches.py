"""A row-by-row rule written in DuckDB's SQL, run on Spark: each Arrow batch of the input goes through the
same statement in an in-memory DuckDB inside the Python worker (``mapInArrow``).

Only for statements that read one staging table row by row (plus small lookup tables sent whole with the
task), e.g. ``marts.ce_account_phones``: DuckDB's ``sha256`` or e-mail domain rule then is the rule on both
paths, not a Spark re-spelling of it. Nothing passes through the driver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from domain.marts import Mart
from pipelines.spark_types import spark_ddl


def duckdb_over_batches(
    frame,
    sql: str,
    reads: str,
    mart: Mart,
    lookups: dict[str, pa.Table] | None = None,
    *,
    params: dict | None = None,
    setup: Callable[[Any], None] | None = None,
):
    """``frame`` (the rows of ``staging.<reads>``) through ``sql`` (with ``params`` bound) batch by batch,
    typed as ``mart``; ``setup(conn)`` first defines what the statement needs (e.g. a macro) on each worker's
    connection."""
    schema = mart.arrow_schema()
    lookups = lookups or {}

    def run(batches):
        import duckdb

        with duckdb.connect() as conn:
            conn.execute("CREATE SCHEMA staging")
            if setup is not None:
                setup(conn)
            for name, table in lookups.items():
                conn.register(name, table)
            for batch in batches:
                conn.register("_batch", pa.Table.from_batches([batch]))
                conn.execute(f"CREATE OR REPLACE VIEW staging.{reads} AS SELECT * FROM _batch")
                yield from conn.sql(sql, params=params).to_arrow_table().cast(schema).to_batches()
                conn.unregister("_batch")

    return frame.mapInArrow(run, spark_ddl(mart))
