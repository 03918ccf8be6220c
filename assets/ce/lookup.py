"""``marts.ce_account_phones(account_id, phone_sha256)``: lets the CE team find an account by its phone
number.

``marts.ce_accounts`` masks phones to their last four digits, so the published snapshot holds no full number;
the Learner lookup page hashes the number typed in (normalised to E.164, ``reports.ce.learner_lookup``) and
matches it here. The digest is SHA-256 of the E.164 string, computed in DuckDB.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, mart_key, replace_table, staging_key

PHONES_MART = "ce_account_phones"
#: The mart's SELECT over ``staging.ce_accounts``, row by row (Spark runs it over Arrow batches too).
PHONES_SQL = (
    "SELECT account_id, sha256(mobile_phone) AS phone_sha256 FROM staging.ce_accounts "
    "WHERE mobile_phone IS NOT NULL ORDER BY account_id"
)


@dg.asset(
    key=mart_key(PHONES_MART),
    deps=[staging_key("ce_accounts")],
    group_name="ce",
)
def ce_account_phones(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        rows = replace_table(
            conn,
            f"{MARTS}.{PHONES_MART}",
            PHONES_SQL,
        )
    return dg.MaterializeResult(metadata={"rows": rows})
