"""One person across the portals: ``marts.person_links`` / ``marts.person_link_review`` and the joined-view
findings.

Thin assets over :mod:`domain.person_links`: each runs the
rule's SELECT in the warehouse and replaces its mart.
The links read the duplicate model's marts (pairs, clusters) and the CE team's merges as they stand; nothing
is
retrained. Staging columns a landing file may leave out of older data (HR address, member e-mail and address)
are
read as they are: the contracts give every one of them, possibly empty.

The links read the sign-in events only for their set of portal users. On materialize's own incremental run,
when the run's new auth-events files bring no portal user the table did not hold and no other input was
materialized since the links were built (``assets/increments.py``), the links are already right and are kept
as they are (the one-more-day run: 0.3 s to find the new users instead of 1.8 s of CPU to rebuild); anything
else rebuilds.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.accounts_mart import CE_ACCOUNTS_MART
from assets.ce.merges import SURVIVORS_MART
from assets.common import MARTS, mart_key, replace_table, staging_key, table_exists
from assets.increments import BUILT_FROM, BUILT_FROM_INPUTS, inputs_now, new_files, same_inputs
from domain.ce.duplicates import CLUSTERS_MART, PAIRS_MART
from domain.person_links import (
    PersonLinkPolicy,
    cross_portal_attacks_sql,
    leaving_sso_only_sql,
    new_portal_users_sql,
    person_link_review_sql,
    person_link_rows_sql,
    person_links_sql,
    plan_hr_mismatch_sql,
)

GROUP = "people"
POLICY = PersonLinkPolicy()

LINKS = "person_links"
REVIEW = "person_link_review"
LEAVING = "leaving_sso_only"
MISMATCH = "plan_hr_mismatches"
ATTACKS = "cross_portal_attacks"
_ROWS = "_person_link_rows"


def _counts(conn, table: str, column: str) -> dict[str, int]:
    rows = conn.execute(f"SELECT {column}, count(*) FROM {MARTS}.{table} GROUP BY 1 ORDER BY 1").fetchall()
    return {str(k): int(v) for k, v in rows}


_EVENTS = staging_key("auth_events")
#: What the links read besides the sign-in events.
_OTHER_DEPS = [
    *(staging_key(s) for s in ("lc_people", "ce_accounts", "hp_members")),
    *(mart_key(m) for m in (PAIRS_MART, CLUSTERS_MART, SURVIVORS_MART)),
]
_LINK_DEPS = [*_OTHER_DEPS[:3], _EVENTS, *_OTHER_DEPS[3:]]


def _links_still_right(context, conn, others: dict[str, int | None]) -> bool:
    """Whether the links as they stand are those of the inputs now: the run is incremental, the links were
    built from the events before this run's new files and from ``others`` as they are, and the new files
    bring no portal user."""
    files = new_files(context, _EVENTS, mart_key(LINKS))
    if not files or not same_inputs(context, mart_key(LINKS), others):
        return False
    if not (table_exists(conn, MARTS, LINKS) and table_exists(conn, MARTS, REVIEW)):
        return False
    new_users = new_portal_users_sql(files)
    return not conn.execute(f"SELECT 1 FROM ({new_users.sql}) LIMIT 1", new_users.params).fetchall()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            mart_key(LINKS),
            deps=_LINK_DEPS,
            group_name=GROUP,
        ),
        dg.AssetSpec(
            mart_key(REVIEW),
            deps=_LINK_DEPS,
            group_name=GROUP,
        ),
    ]
)
def person_links(context, duckdb: DuckDBResource):
    events = inputs_now(context, [_EVENTS])[_EVENTS.to_user_string()]
    others = inputs_now(context, _OTHER_DEPS)
    with duckdb.get_connection() as conn:
        kept = _links_still_right(context, conn, others)
        if not kept:
            rows = person_link_rows_sql(POLICY)
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {_ROWS} AS {rows.sql}", rows.params)
            try:
                replace_table(conn, f"{MARTS}.{LINKS}", person_links_sql(_ROWS))
                replace_table(conn, f"{MARTS}.{REVIEW}", person_link_review_sql(_ROWS))
            finally:
                conn.execute(f"DROP TABLE IF EXISTS {_ROWS}")
        by_source = _counts(conn, LINKS, "source")
        review_by_source = _counts(conn, REVIEW, "source")
    built = {"kept": kept, BUILT_FROM: events, BUILT_FROM_INPUTS: others}
    yield dg.MaterializeResult(
        asset_key=mart_key(LINKS), metadata={"rows": sum(by_source.values()), **by_source, **built}
    )
    yield dg.MaterializeResult(
        asset_key=mart_key(REVIEW), metadata={"rows": sum(review_by_source.values()), **review_by_source}
    )


@dg.asset(
    key=mart_key(LEAVING),
    deps=[mart_key(LINKS), mart_key(CE_ACCOUNTS_MART), staging_key("lc_people")],
    group_name=GROUP,
)
def leaving_sso_only(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = replace_table(conn, f"{MARTS}.{LEAVING}", *leaving_sso_only_sql())
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(MISMATCH),
    deps=[mart_key(LINKS), *(staging_key(s) for s in ("lc_people", "hp_members", "hp_enrollment"))],
    group_name=GROUP,
)
def plan_hr_mismatches(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = replace_table(conn, f"{MARTS}.{MISMATCH}", *plan_hr_mismatch_sql(POLICY))
        kinds = _counts(conn, MISMATCH, "kind")
    return dg.MaterializeResult(metadata={"rows": n, **kinds})


@dg.asset(
    key=mart_key(ATTACKS),
    deps=[
        mart_key(LINKS),
        staging_key("auth_events"),
        mart_key("login_lockouts"),
        mart_key("credential_stuffing"),
    ],
    group_name=GROUP,
)
def cross_portal_attacks(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = replace_table(conn, f"{MARTS}.{ATTACKS}", *cross_portal_attacks_sql(POLICY))
        kinds = _counts(conn, ATTACKS, "kind")
    return dg.MaterializeResult(metadata={"rows": n, **kinds})
