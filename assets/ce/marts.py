"""CE marts: attendance outcomes, credits, totals, certificates and the CE part of transcripts.

Each asset compiles the domain rule (an Ibis expression over the warehouse) to DuckDB SQL and rebuilds its
mart with one ``CREATE OR REPLACE TABLE ... AS``, ordered so reruns are identical. Data never passes through
Python.

Merges: when the table ``marts.ce_account_survivors(account_id, survivor_account_id)`` exists (written by the
duplicate-accounts work from the CE team's decisions), it is applied. Whoever builds it should add its asset
key to ``SURVIVOR_DEPS`` so it is materialized before these marts.
"""

from __future__ import annotations

import dagster as dg
import ibis
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, RunSettings, mart_key, staging_key, write_ibis_mart
from domain.ce.attendance import AttendancePolicy, attendance_outcomes
from domain.ce.certificates import CertificatePolicy, certificates
from domain.ce.credits import (
    CreditPolicy,
    credit_items,
    credit_totals,
    credits_awarded,
    transcript_items,
)
from domain.ce.tables import CE_STAGING, CeTables, local_date

GROUP = "ce"
SURVIVORS_TABLE = "ce_account_survivors"
#: Built by ``assets.ce.merges`` from the CE team's decisions (a key, not an import: that module imports this
#: one).
SURVIVOR_DEPS: list[dg.AssetKey] = [mart_key(SURVIVORS_TABLE)]

OUTCOMES = "ce_attendance_outcomes"
AWARDED = "ce_credits_awarded"
ITEMS = "ce_credit_items"
TOTALS = "ce_credit_totals"
PERSON_TOTALS = "ce_person_credit_totals"
CERTIFICATES = "ce_certificates"
TRANSCRIPT = "ce_transcript_items"


def _staging() -> list[dg.AssetKey]:
    """Every CE staging table: ``_tables`` looks up all of them (``CeTables.from_backend`` describes each), so
    an asset reading it must not start before any of them is written (steps run side by side)."""
    return [staging_key(s) for s in CE_STAGING] + SURVIVOR_DEPS


def _backend(conn):
    return ibis.duckdb.from_connection(conn)


def _tables(conn) -> CeTables:
    backend = _backend(conn)
    has_survivors = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [MARTS, SURVIVORS_TABLE],
    ).fetchall()[0][0]
    survivors = backend.table(SURVIVORS_TABLE, database=MARTS) if has_survivors else None
    return CeTables.from_backend(backend, survivors=survivors)


def _mart(conn, name: str) -> ibis.Table:
    return _backend(conn).table(name, database=MARTS)


def _counts(conn, name: str, column: str) -> dict[str, int]:
    rows = conn.execute(
        f"SELECT coalesce({column}, 'accepted'), count(*) FROM {MARTS}.{name} GROUP BY 1"
    ).fetchall()
    return {str(k): int(v) for k, v in sorted(rows)}


@dg.asset(
    key=mart_key(OUTCOMES),
    deps=_staging(),
    group_name=GROUP,
)
def ce_attendance_outcomes(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = write_ibis_mart(
            conn, OUTCOMES, attendance_outcomes(_tables(conn), AttendancePolicy()), ["event_id"]
        )
        by_reason = _counts(conn, OUTCOMES, "reason")
    return dg.MaterializeResult(metadata={"rows": n, "by_reason": by_reason})


@dg.asset(
    key=mart_key(AWARDED),
    deps=[mart_key(OUTCOMES), *_staging()],
    group_name=GROUP,
)
def ce_credits_awarded(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    policy = CreditPolicy(org_timezone=run_settings.org_timezone)
    with duckdb.get_connection() as conn:
        expr = credits_awarded(_mart(conn, OUTCOMES), _tables(conn), policy)
        n = write_ibis_mart(conn, AWARDED, expr, ["event_id", "credit_type"])
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(ITEMS),
    deps=[mart_key(AWARDED), *_staging()],
    group_name=GROUP,
)
def ce_credit_items(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        expr = credit_items(_mart(conn, AWARDED), _tables(conn))
        n = write_ibis_mart(conn, ITEMS, expr, ["account_id", "source", "item_id", "credit_type"])
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(TOTALS),
    deps=[mart_key(ITEMS)],
    group_name=GROUP,
)
def ce_credit_totals(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = write_ibis_mart(
            conn,
            TOTALS,
            credit_totals(_mart(conn, ITEMS), by="account"),
            ["account_id", "credit_type", "year"],
        )
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(PERSON_TOTALS),
    deps=[mart_key(ITEMS)],
    group_name=GROUP,
)
def ce_person_credit_totals(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        expr = credit_totals(_mart(conn, ITEMS), by="person")
        n = write_ibis_mart(conn, PERSON_TOTALS, expr, ["person_id", "credit_type", "year"])
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(CERTIFICATES),
    deps=[mart_key(OUTCOMES), *_staging()],
    group_name=GROUP,
)
def ce_certificates(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    policy = CertificatePolicy(org_timezone=run_settings.org_timezone)
    with duckdb.get_connection() as conn:
        outcomes = _mart(conn, OUTCOMES)
        # Today past the data (a demo on old data): as of the last claim's day, or every certificate is
        # expired.
        last_claim = local_date(outcomes.received_at, policy.org_timezone).max().to_pyarrow().as_py()
        as_of = run_settings.as_of_within(last_claim)
        expr = certificates(outcomes, _tables(conn), as_of, policy)
        n = write_ibis_mart(conn, CERTIFICATES, expr, ["event_id"])
        by_status = _counts(conn, CERTIFICATES, "status")
    return dg.MaterializeResult(metadata={"rows": n, "as_of": as_of.isoformat(), "by_status": by_status})


@dg.asset(
    key=mart_key(TRANSCRIPT),
    deps=[mart_key(ITEMS)],
    group_name=GROUP,
)
def ce_transcript_items(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        expr = transcript_items(_mart(conn, ITEMS))
        n = write_ibis_mart(conn, TRANSCRIPT, expr, ["person_id", "source", "item_id", "credit_type"])
    return dg.MaterializeResult(metadata={"rows": n})


CE_ASSETS = [
    ce_attendance_outcomes,
    ce_credits_awarded,
    ce_credit_items,
    ce_credit_totals,
    ce_person_credit_totals,
    ce_certificates,
    ce_transcript_items,
]
