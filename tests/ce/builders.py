"""Tiny hand-built CE warehouses: each test states the rows it needs and computes its expectations by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import ibis

from domain.ce.tables import CeTables
from tests.support import create_staging_table


def ts(text: str) -> dt.datetime:
    """A naive UTC instant, as staging stores it."""
    return dt.datetime.fromisoformat(text)


def account(account_id: str, degree: str, phone: str | None = None, person_id: str | None = None) -> dict:
    return {
        "account_id": account_id,
        "email": f"{account_id.lower()}@example.org",
        "first_name": "Pat",
        "last_name": account_id,
        "degree": degree,
        "mobile_phone": phone,
        "login_method": "sso" if person_id else "password",
        "person_id": person_id,
        "created_at": ts("2025-01-01 00:00"),
    }


def activity(
    activity_id: str,
    code: str,
    starts: str,
    ends: str,
    *,
    window: int | None = None,
    evaluation: bool = False,
    certificate_days: int | None = None,
    title: str | None = None,
) -> dict:
    return {
        "activity_id": activity_id,
        "title": title or f"Grand rounds {activity_id}",
        "activity_type": "live",
        "starts_at": ts(starts),
        "ends_at": ts(ends),
        "attendance_code": code,
        "texting_window_hours": window,
        "evaluation_required": evaluation,
        "certificate_days": certificate_days,
    }


def credit(activity_id: str, credit_type: str, credits: str, degrees: str) -> dict:
    return {
        "activity_id": activity_id,
        "credit_type": credit_type,
        "credits": Decimal(credits),
        "eligible_degrees": degrees,
    }


def sms(event_id: str, at: str, phone: str | None, code: str | None) -> dict:
    return {"event_id": event_id, "channel": "sms", "received_at": ts(at), "from_phone": phone, "code": code}


def qr(event_id: str, at: str, account_id: str, code: str) -> dict:
    return {
        "event_id": event_id,
        "channel": "qr",
        "received_at": ts(at),
        "account_id": account_id,
        "code": code,
    }


def claim(event_id: str, channel: str, at: str, account_id: str | None, activity_id: str | None) -> dict:
    """A portal or admin claim (account_id + activity_id)."""
    return {
        "event_id": event_id,
        "channel": channel,
        "received_at": ts(at),
        "account_id": account_id,
        "activity_id": activity_id,
    }


def evaluation(evaluation_id: str, account_id: str, activity_id: str, at: str) -> dict:
    return {
        "evaluation_id": evaluation_id,
        "account_id": account_id,
        "activity_id": activity_id,
        "submitted_at": ts(at),
    }


def external(external_id: str, account_id: str, credit_type: str, credits: str, on: str) -> dict:
    return {
        "external_id": external_id,
        "account_id": account_id,
        "provider_name": "Outside Society",
        "title": f"Outside course {external_id}",
        "credit_type": credit_type,
        "credits": Decimal(credits),
        "completed_on": dt.date.fromisoformat(on),
        "uploaded_at": ts("2026-06-01 12:00"),
    }


def warehouse(
    conn=None,
    *,
    accounts=(),
    activities=(),
    credits=(),
    attendance=(),
    evaluations=(),
    externals=(),
    survivors: dict[str, str] | None = None,
):
    """DuckDB with the six ``staging.ce_*`` tables (and ``marts.ce_account_survivors`` if given)."""
    conn = conn or duckdb.connect()
    create_staging_table(conn, "ce_accounts", list(accounts))
    create_staging_table(conn, "ce_activities", list(activities))
    create_staging_table(conn, "ce_activity_credits", list(credits))
    create_staging_table(conn, "ce_attendance", list(attendance))
    create_staging_table(conn, "ce_evaluations", list(evaluations))
    create_staging_table(conn, "ce_external_credits", list(externals))
    if survivors is not None:
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        columns = "account_id VARCHAR, survivor_account_id VARCHAR"
        conn.execute(f"CREATE OR REPLACE TABLE marts.ce_account_survivors ({columns})")
        for merged, survivor in survivors.items():
            conn.execute("INSERT INTO marts.ce_account_survivors VALUES (?, ?)", [merged, survivor])
    return conn


def tables(conn) -> CeTables:
    backend = ibis.duckdb.from_connection(conn)
    has = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ce_account_survivors'"
    ).fetchall()[0][0]
    survivors = backend.table("ce_account_survivors", database="marts") if has else None
    return CeTables.from_backend(backend, survivors=survivors)


def rows(conn, expr: ibis.Table) -> list[dict]:
    """Compile to DuckDB SQL and run it on the same connection, as the assets do; decimals come back exact."""
    cursor = conn.execute(ibis.to_sql(expr, dialect="duckdb"))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def by_event(result: list[dict]) -> dict[str, dict]:
    return {r["event_id"]: r for r in result}
