"""Transcript marts: Learning Center items, and ``marts.transcript_items`` = every item-source mart unioned.

The list of item-source marts lives in ``domain.learning.transcripts.ITEM_SOURCE_MARTS``; the union asset
depends on each, so adding the CE mart there is the only change needed to bring CE and external credits into
transcripts.
"""

from __future__ import annotations

import dagster as dg
import ibis
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, RunSettings, mart_key, staging_key, write_ibis_mart
from assets.learning.marts import GROUP, staging_tables
from domain.learning.transcripts import ITEM_SOURCE_MARTS, learning_center_items, union_items

ITEM_ORDER_SQL = "person_id, completed_on DESC, source, item_id, credit_type"


@dg.asset(
    key=mart_key("lc_transcript_items"),
    deps=[staging_key(s) for s in ("lc_people", "lc_courses", "lc_completions")],
    group_name=GROUP,
)
def lc_transcript_items(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    """Learning Center completions (completed or waived) as transcript items, up to the as-of date."""
    with duckdb.get_connection() as conn:
        t = staging_tables(conn, ("lc_people", "lc_courses", "lc_completions"))
        expr = learning_center_items(
            t["lc_people"],
            t["lc_courses"],
            t["lc_completions"],
            org_timezone=run_settings.org_timezone,
            as_of=run_settings.as_of_date(),
        )
        rows = write_ibis_mart(conn, "lc_transcript_items", expr, ITEM_ORDER_SQL)
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(key=mart_key("transcript_items"), deps=[mart_key(m) for m in ITEM_SOURCE_MARTS], group_name=GROUP)
def transcript_items(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every person's transcript items from all sources
    (``domain.learning.transcripts.ITEM_SOURCE_MARTS``)."""
    with duckdb.get_connection() as conn:
        con = ibis.duckdb.from_connection(conn)
        expr = union_items(con.table(m, database=MARTS) for m in ITEM_SOURCE_MARTS)
        rows = write_ibis_mart(conn, "transcript_items", expr, ITEM_ORDER_SQL)
        per_source = dict(
            conn.execute(f"SELECT source, count(*) FROM {MARTS}.transcript_items GROUP BY 1").fetchall()
        )
    return dg.MaterializeResult(metadata={"rows": rows} | per_source)
