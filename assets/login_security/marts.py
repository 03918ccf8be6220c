"""Login-security marts over ``staging.auth_events`` (group ``auth_events``).

Each asset compiles a rule of :mod:`domain.login_security` (an Ibis expression) to DuckDB SQL and rebuilds its
mart with one ``CREATE OR REPLACE TABLE ... AS ... ORDER BY``, so reruns give identical marts and data never
passes through Python.

Why rebuilds: every rule looks across day boundaries (a lock chain, a 24-hour loop window, a 10-minute burst
at midnight, a late completion turning an "abandoned" token into "completed_after_expiry"), so an increment
would have to reopen the tail of every account anyway. The daily summary counts the organisation's days,
which end hours after UTC midnight (06:00 UTC in Chicago's winter): a new file of events from early in a UTC
day adds to an org day already summarised, and the rebuild recounts it. Set-based over the whole table the
marts take a few seconds at 5M events (see ``pipelines/bench/auth_events.py``) and there is no state to get
wrong when a late file lands.

The exceptions are the lockouts, the costliest, and the stuffing bursts: a lock chain never crosses accounts
and a burst never crosses sources (ip, portal), so on materialize's own incremental run the asset recomputes
only the accounts (the sources with a new failure) a new file names, over their whole history, and keeps the
others' rows; anything uncertain rebuilds (``assets/increments.py``).
"""

from __future__ import annotations

import dagster as dg
import ibis
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, RunSettings, mart_key, staging_key, table_exists, write_ibis_mart
from assets.increments import BUILT_FROM, new_files, staging_now
from domain.login_security import (
    LoginSecurityPolicy,
    Scratch,
    credential_stuffing,
    lockouts_after_new_events,
    login_daily_summary,
    login_lockouts,
    reset_loops,
    reset_outcomes,
    stuffing_after_new_events,
)

GROUP = "auth_events"
SOURCE = "auth_events"

LOCKOUTS = "login_lockouts"
RESET_OUTCOMES = "reset_outcomes"
RESET_LOOPS = "reset_loops"
STUFFING = "credential_stuffing"
DAILY_SUMMARY = "login_daily_summary"


def _backend(conn) -> ibis.BaseBackend:
    return ibis.duckdb.from_connection(conn)


def _events(conn) -> ibis.Table:
    return _backend(conn).table(SOURCE, database="staging")


def _write_by_increment(conn, mart: str, files: list[str] | None, after_new_events, rebuild) -> int:
    """Write ``marts.<mart>``: from its rows as they are and the events of the new ``files``
    (``after_new_events(previous, events, new_events, scratch, policy)``) when there are any and the mart
    exists, else rebuilt over every event (``rebuild(events, scratch, policy)``); returns its row count."""
    policy = LoginSecurityPolicy()
    with Scratch(_backend(conn)) as scratch:
        events = _events(conn)
        if files and table_exists(conn, MARTS, mart):
            previous = _backend(conn).table(mart, database=MARTS)
            new_events = events.filter(events._file_name.isin(files))
            expr = after_new_events(previous, events, new_events, scratch, policy)
        else:
            expr = rebuild(events, scratch, policy)
        return write_ibis_mart(conn, mart, expr)


def _count_by(conn, name: str, column: str) -> dict[str, int]:
    rows = conn.execute(f"SELECT {column}, count(*) FROM {MARTS}.{name} GROUP BY 1 ORDER BY 1").fetchall()
    return {str(k): int(v) for k, v in rows}


@dg.asset(
    key=mart_key(LOCKOUTS),
    deps=[staging_key(SOURCE)],
    group_name=GROUP,
)
def login_lockouts_mart(context, duckdb: DuckDBResource) -> dg.MaterializeResult:
    built_from = staging_now(context, staging_key(SOURCE))
    files = new_files(context, staging_key(SOURCE), mart_key(LOCKOUTS))
    with duckdb.get_connection() as conn:
        n = _write_by_increment(conn, LOCKOUTS, files, lockouts_after_new_events, login_lockouts)
        by_portal = _count_by(conn, LOCKOUTS, "portal")
    return dg.MaterializeResult(
        metadata={
            "rows": n,
            "by_portal": by_portal,
            "applied_files": len(files) if files else 0,  # 0: rebuilt over every event
            BUILT_FROM: built_from,
        }
    )


@dg.asset(
    key=mart_key(RESET_OUTCOMES),
    deps=[staging_key(SOURCE)],
    group_name=GROUP,
)
def reset_outcomes_mart(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = write_ibis_mart(conn, RESET_OUTCOMES, reset_outcomes(_events(conn), LoginSecurityPolicy()))
        by_outcome = _count_by(conn, RESET_OUTCOMES, "outcome")
    return dg.MaterializeResult(metadata={"rows": n, "by_outcome": by_outcome})


@dg.asset(
    key=mart_key(RESET_LOOPS),
    deps=[staging_key(SOURCE)],
    group_name=GROUP,
)
def reset_loops_mart(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = write_ibis_mart(conn, RESET_LOOPS, reset_loops(_events(conn), LoginSecurityPolicy()))
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=mart_key(STUFFING),
    deps=[staging_key(SOURCE)],
    group_name=GROUP,
)
def credential_stuffing_mart(context, duckdb: DuckDBResource) -> dg.MaterializeResult:
    built_from = staging_now(context, staging_key(SOURCE))
    files = new_files(context, staging_key(SOURCE), mart_key(STUFFING))
    with duckdb.get_connection() as conn:
        n = _write_by_increment(
            conn,
            STUFFING,
            files,
            stuffing_after_new_events,
            lambda events, _, policy: credential_stuffing(events, policy),
        )
    return dg.MaterializeResult(
        metadata={"rows": n, "applied_files": len(files) if files else 0, BUILT_FROM: built_from}
    )


@dg.asset(
    key=mart_key(DAILY_SUMMARY),
    deps=[staging_key(SOURCE), mart_key(LOCKOUTS)],
    group_name=GROUP,
)
def login_daily_summary_mart(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        lockouts = _backend(conn).table(LOCKOUTS, database=MARTS)
        summary = login_daily_summary(_events(conn), lockouts, org_timezone=run_settings.org_timezone)
        n = write_ibis_mart(conn, DAILY_SUMMARY, summary)
    return dg.MaterializeResult(metadata={"rows": n})


AUTH_EVENTS_ASSETS = [
    login_lockouts_mart,
    reset_outcomes_mart,
    reset_loops_mart,
    credential_stuffing_mart,
    login_daily_summary_mart,
]
