"""``marts.cost_share_differences``: EOB lines whose payer-adjudicated member share differs from the
engine's."""

import dagster as dg
import ibis
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, STAGING, mart_key, replace_table, staging_key
from assets.ingestion.load import ensure_staging_table
from assets.ingestion.standard.payer_adjudication import PAYER_ADJUDICATION
from domain.health_plan.cost_share_reconciliation import differing_lines

MART = "marts.cost_share_differences"


def build_cost_share_differences(conn) -> int:
    ensure_staging_table(conn, PAYER_ADJUDICATION)  # no EOB landed yet: an empty mart, not an error
    con = ibis.duckdb.from_connection(conn)
    expr = differing_lines(
        con.table("claim_cost_share", database=MARTS), con.table(PAYER_ADJUDICATION.name, database=STAGING)
    )
    # DuckDB's own decimal widths (as the SQL always gave them), not Ibis's guess: no casts around it
    return replace_table(conn, MART, ibis.to_sql(expr, dialect="duckdb"))


@dg.asset(
    key=mart_key("cost_share_differences"),
    deps=[mart_key("claim_cost_share"), staging_key("fhir_eob")],
    group_name="health_plan",
    kinds={"duckdb"},
)
def cost_share_differences(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        rows = build_cost_share_differences(conn)
        total = conn.execute(f"SELECT coalesce(sum(abs(difference)), 0) FROM {MART}").fetchone()[0]
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "absolute_difference": str(total)})
