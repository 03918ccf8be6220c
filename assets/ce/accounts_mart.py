"""``marts.ce_accounts``: the CE accounts as the CE team may see them, for the duplicate queue's side-by-side
view.

The published snapshot holds only marts, so the dashboard needs this copy of ``staging.ce_accounts``. The
mobile phone is masked to its last four digits (enough to tell two numbers apart, too little to call anyone),
and each e-mail's domain is marked ``organisation`` or ``personal`` by the same rule duplicate detection uses
(``domain.ce.duplicates.classification.organisation_domains``), so the queue and the classification agree.
"""

from __future__ import annotations

import dagster as dg
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from assets.ce.duplicates import POLICY
from assets.common import MARTS, mart_key, replace_table, staging_key
from domain import marts
from domain.ce.duplicates.classification import (
    ORGANISATION,
    PERSONAL,
    define_email_domain,
    organisation_domains,
)
from domain.sql_files import load

CE_ACCOUNTS_MART = "ce_accounts"

#: The mart's columns in table order (the registry's, ``domain.marts``).
COLUMNS = marts.get(CE_ACCOUNTS_MART).column_names


#: The values ``ce_accounts.sql`` marks each e-mail domain with.
KIND_PARAMS = {"organisation": ORGANISATION, "personal": PERSONAL}


def organisation_domains_of(conn) -> list[str]:
    """The organisation e-mail domains of ``staging.ce_accounts`` (or the configured ones); defines the
    ``ce_email_domain`` macro on ``conn`` on the way (``ce_accounts.sql`` uses it too)."""
    # the same e-mail domain expression duplicate detection standardises with
    define_email_domain(conn)
    logins = conn.sql(load(__package__, "account_domain_logins"))
    return organisation_domains(conn, logins, POLICY.organisation_domains)


@dg.asset(
    key=mart_key(CE_ACCOUNTS_MART),
    deps=[staging_key("ce_accounts")],
    group_name="ce",
)
def ce_accounts_mart(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        domains = organisation_domains_of(conn)
        conn.register("ce_org_domains", pa.table({"email_domain": pa.array(domains, pa.string())}))
        try:
            rows = replace_table(
                conn,
                f"{MARTS}.{CE_ACCOUNTS_MART}",
                load(__package__, "ce_accounts"),
                KIND_PARAMS,
            )
        finally:
            conn.unregister("ce_org_domains")
    return dg.MaterializeResult(metadata={"rows": rows, "organisation_domains": len(domains)})
