"""Build ``staging.auth_events`` by hand from ISO timestamps with offsets, and run one rule over it."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import ibis

from domain.login_security import Scratch, login_lockouts
from tests.support import create_staging_table

_ids = itertools.count(1)


def utc(iso: str) -> dt.datetime:
    """What ingest stores for a ``ts`` value: the UTC instant, as a naive timestamp."""
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).replace(tzinfo=None)


def event(
    at: str,
    event_type: str,
    username: str = "alice",
    *,
    portal: str = "ce_portal",
    ip: str = "10.0.0.1",
    method: str = "password",
    token: str | None = None,
    failure_reason: str | None = None,
) -> dict:
    if event_type == "login_failure" and failure_reason is None:
        failure_reason = "bad_password"
    return {
        "event_id": f"ev{next(_ids):06d}",
        "portal": portal,
        "occurred_at": utc(at),
        "event_type": event_type,
        "username": username,
        "ip": ip,
        "method": method,
        "reset_token": token,
        "failure_reason": failure_reason,
    }


def failures(username: str, *ats: str, **kw) -> list[dict]:
    return [event(at, "login_failure", username, **kw) for at in ats]


def staged(rows: list[dict]) -> tuple[duckdb.DuckDBPyConnection, ibis.Table]:
    """An in-memory warehouse with ``staging.auth_events`` holding ``rows``; returns it and the Ibis table."""
    conn = duckdb.connect()
    create_staging_table(conn, "auth_events", rows)
    return conn, ibis.duckdb.from_connection(conn).table("auth_events", database="staging")


def rows_of(expr: ibis.Table) -> list[dict]:
    return expr.to_pyarrow().to_pylist()


def lockouts_of(rows: list[dict], policy=None) -> list[dict]:
    conn, events = staged(rows)
    with Scratch(ibis.duckdb.from_connection(conn)) as scratch:
        return rows_of(login_lockouts(events, scratch, policy))


def at(hhmm: str, day: str = "2026-03-04", offset: str = "+00:00") -> str:
    return f"{day}T{hhmm}:00{offset}"
