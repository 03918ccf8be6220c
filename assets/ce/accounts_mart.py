"""``marts.ce_accounts``: the CE accounts as the CE team may see them, for the duplicate queue's side-by-side
view.

The published snapshot holds only marts, so the dashboard needs this copy of ``staging.ce_accounts``. The
mobile phone is masked to its last four digits (enough to tell two numbers apart, too little to call anyone),
and each e-mail's domain is marked ``organisation`` or ``personal`` by the same rule duplicate detection uses
(``domain.ce.duplicates.classification.organisation_domains``), so the queue and the classification agree.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.duplicates import POLICY
from assets.common import MARTS, mart_key, replace_table, staging_key
from domain import marts
from domain.ce.duplicates.classification import ORGANISATION, PERSONAL, email_domain_sql, organisation_domains

CE_ACCOUNTS_MART = "ce_accounts"
#: The same e-mail domain expression duplicate detection standardises with (``domain.ce.duplicates.prepare``).
_DOMAIN = email_domain_sql("email")
_PHONE_DIGITS = "regexp_replace(mobile_phone, '[^0-9]', '', 'g')"

#: The mart's columns in table order (the registry's, ``domain.marts``).
COLUMNS = marts.get(CE_ACCOUNTS_MART).column_names


def ce_accounts_sql(domains_table: str) -> str:
    """The mart's SELECT over ``staging.ce_accounts``; ``domains_table(email_domain)`` = organisation
    domains."""
    return f"""
    SELECT
        a.account_id, a.first_name, a.last_name, a.email,
        {_DOMAIN} AS email_domain,
        CASE WHEN {_DOMAIN} IS NULL THEN NULL
             WHEN {_DOMAIN} IN (SELECT email_domain FROM {domains_table}) THEN '{ORGANISATION}'
             ELSE '{PERSONAL}' END AS email_domain_kind,
        a.degree,
        CASE WHEN length({_PHONE_DIGITS}) >= 4 THEN '***-***-' || right({_PHONE_DIGITS}, 4) END AS
        mobile_phone,
        a.birth_date, a.license_state, a.license_number, a.npi, a.city, a.state, a.postal_code,
        a.login_method, a.person_id, a.created_at
    FROM staging.ce_accounts a
    ORDER BY a.account_id
    """


def organisation_domains_of(conn) -> list[str]:
    """The organisation e-mail domains of ``staging.ce_accounts`` (or the configured ones)."""
    source = f"(SELECT {_DOMAIN} AS email_domain, login_method FROM staging.ce_accounts)"
    return organisation_domains(conn, source, POLICY.organisation_domains)


@dg.asset(
    key=mart_key(CE_ACCOUNTS_MART),
    deps=[staging_key("ce_accounts")],
    group_name="ce",
)
def ce_accounts_mart(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        domains = organisation_domains_of(conn)
        conn.execute("CREATE OR REPLACE TEMP TABLE ce_org_domains (email_domain VARCHAR)")
        if domains:  # DuckDB refuses executemany with no rows; no SSO accounts means no organisation domains
            conn.executemany("INSERT INTO ce_org_domains VALUES (?)", [[d] for d in domains])
        try:
            rows = replace_table(conn, f"{MARTS}.{CE_ACCOUNTS_MART}", ce_accounts_sql("ce_org_domains"))
        finally:
            conn.execute("DROP TABLE IF EXISTS ce_org_domains")
    return dg.MaterializeResult(metadata={"rows": rows, "organisation_domains": len(domains)})
