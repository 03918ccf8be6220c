"""A small published snapshot for the health-plan, security and pipeline pages, built by hand in a tmp data
dir.

Health plan: the scenario of ``tests/health_plan/warehouse.py`` (hand-made staging rows, marts built by the
real functions). Families: S1 (employer E1 "Acme", tier FAM: S1 Ana subscriber, S1D Ben spouse), S2 (E2
"Globex", Cy, EMP, ends 2025-06-30), S3 (E1, Di, EMP from 2025-03-01). NPI_B billed C2 (Ben) and C4 (Cy);
NPI_A everything else.

Security: the auth events below, through the login-security rules. Pipeline: ledger and quarantine by hand.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis

from assets.common import write_ibis_mart
from domain.login_security import (
    LoginSecurityPolicy,
    Scratch,
    credential_stuffing,
    login_daily_summary,
    login_lockouts,
    reset_loops,
    reset_outcomes,
)
from domain.settings import Settings
from tests.health_plan import warehouse
from tests.login_security.helpers import event, failures
from tests.support import create_staging_table, publish_marts

NPI_A, NPI_B = warehouse.NPI_A, warehouse.NPI_B
STUFFING_IP = "203.0.113.9"

AUTH_EVENTS = [
    # ce_portal: alice fails 5 times on 2026-03-04 -> locked; then logs in with SSO and with a password.
    *failures("alice", *[f"2026-03-04T09:0{m}:00Z" for m in range(5)]),
    event("2026-03-04T10:00:00Z", "login_success", "alice", method="sso"),
    event("2026-03-05T10:00:00Z", "login_success", "alice", method="password"),
    # health_plans: bob fails 5 times on 2026-03-06 -> locked.
    *failures("bob", *[f"2026-03-06T09:0{m}:00Z" for m in range(5)], portal="health_plans"),
    # patient_portal resets: carol finishes 60 min after the request (after expiry), dan never finishes
    # (abandoned), erin finishes in 10 min (in time).
    event("2026-03-05T11:00:00Z", "password_reset_requested", "carol", portal="patient_portal", token="t1"),
    event("2026-03-05T12:00:00Z", "password_reset_completed", "carol", portal="patient_portal", token="t1"),
    event("2026-03-05T13:00:00Z", "password_reset_requested", "dan", portal="patient_portal", token="t2"),
    event("2026-03-05T14:00:00Z", "password_reset_requested", "erin", portal="patient_portal", token="t3"),
    event("2026-03-05T14:10:00Z", "password_reset_completed", "erin", portal="patient_portal", token="t3"),
    # frank asks for a reset 3 times within 3 hours and never logs in: a reset loop (and 3 abandoned links).
    *[
        event(
            f"2026-03-07T{h:02d}:00:00Z",
            "password_reset_requested",
            "frank",
            portal="patient_portal",
            token=t,
        )
        for h, t in ((8, "t4"), (9, "t5"), (10, "t6"))
    ],
    # One IP fails once on each of 20 usernames within 10 minutes (30 s apart): credential stuffing.
    *[
        event(
            f"2026-03-08T03:{m // 2:02d}:{30 * (m % 2):02d}Z",
            "login_failure",
            f"user{m:02d}",
            portal="patient_portal",
            ip=STUFFING_IP,
        )
        for m in range(20)
    ],
]

LEDGER = [
    # source, file_name, status, reason, detail, rows read / loaded / quarantined, loaded_at
    ("lc_people", "people_0301.csv", "loaded", None, None, 5, 3, 2, dt.datetime(2026, 3, 1, 6, 0)),
    ("hp_claims", "claims_0301.csv", "loaded", None, None, 10, 8, 2, dt.datetime(2026, 3, 1, 6, 5)),
    (
        "hp_claims",
        "claims_0302.csv",
        "rejected",
        "missing_columns",
        "hp_claims/claims_0302.csv: missing required column allowed_amount",
        0,
        0,
        0,
        dt.datetime(2026, 3, 2, 6, 5),
    ),
    (
        "hp_claims",
        "claims_copy.csv",
        "duplicate",
        "claims_0301.csv",
        None,
        0,
        0,
        0,
        dt.datetime(2026, 3, 2, 6, 6),
    ),
    ("ce_attendance", "sms_0301.jsonl", "loaded", None, None, 4, 3, 1, dt.datetime(2026, 3, 1, 6, 10)),
]

QUARANTINE = [
    # source, file_name, row_number, column, reason, raw
    (
        "lc_people",
        "people_0301.csv",
        2,
        "hire_date",
        "bad_date",
        '{"person_id": "P7", "lc_user_id": "01021990 4321", "first_name": "Eve", "hire_date": "31/31/2020"}',
    ),
    (
        "lc_people",
        "people_0301.csv",
        4,
        "lc_user_id",
        "bad_lc_user_id",
        '{"person_id": "P8", "lc_user_id": "13452001 9876", "first_name": "Fay", "hire_date": "2020-01-06"}',
    ),
    (
        "hp_claims",
        "claims_0301.csv",
        3,
        "allowed_amount",
        "negative_money",
        '{"claim_id": "C90", "allowed_amount": "-5"}',
    ),
    (
        "hp_claims",
        "claims_0301.csv",
        7,
        "service_date",
        "bad_date",
        '{"claim_id": "C91", "service_date": "2025-13-01"}',
    ),
    ("ce_attendance", "sms_0301.jsonl", 2, None, "malformed_json", '{"event_id": "A2", "code": "12'),
]


def _security_marts(conn, org_timezone: str) -> None:
    create_staging_table(conn, "auth_events", AUTH_EVENTS)
    backend = ibis.duckdb.from_connection(conn)
    events = backend.table("auth_events", database="staging")
    policy = LoginSecurityPolicy()
    with Scratch(backend) as scratch:
        write_ibis_mart(conn, "login_lockouts", login_lockouts(events, scratch, policy))
    write_ibis_mart(conn, "reset_outcomes", reset_outcomes(events, policy))
    write_ibis_mart(conn, "reset_loops", reset_loops(events, policy))
    write_ibis_mart(conn, "credential_stuffing", credential_stuffing(events, policy))
    lockouts = backend.table("login_lockouts", database="marts")
    write_ibis_mart(
        conn, "login_daily_summary", login_daily_summary(events, lockouts, org_timezone=org_timezone)
    )


def _pipeline_marts(conn) -> None:
    conn.execute(
        """CREATE TABLE marts.ingest_ledger (source VARCHAR, file_name VARCHAR, sha256 VARCHAR, rows_read
        BIGINT,
            rows_loaded BIGINT, rows_quarantined BIGINT, loaded_at TIMESTAMP, status VARCHAR, reason VARCHAR,
            detail VARCHAR, encoding VARCHAR, size_bytes BIGINT)"""
    )
    conn.executemany(
        "INSERT INTO marts.ingest_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'utf-8', 100)",
        [
            (s, f, f"sha-{f}", r, lo, q, at, st, reason, detail)
            for s, f, st, reason, detail, r, lo, q, at in LEDGER
        ],
    )
    conn.execute(
        """CREATE TABLE marts.quarantine (source VARCHAR, file_name VARCHAR, row_number INTEGER, "column"
        VARCHAR,
            reason VARCHAR, raw VARCHAR, sha256 VARCHAR, message VARCHAR)"""
    )
    conn.executemany(
        "INSERT INTO marts.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(s, f, n, c, r, raw, f"sha-{f}", f"{s}/{f} row {n}: {r}") for s, f, n, c, r, raw in QUARANTINE],
    )


def publish_snapshot(settings: Settings) -> str:
    """Build every mart in memory, copy schema ``marts`` into ``published/snapshot-plan.duckdb`` (as publish
    does) and point ``current.duckdb`` at it; returns the snapshot's file name."""
    conn = warehouse.build(duckdb.connect())
    _security_marts(conn, settings.org_timezone)
    _pipeline_marts(conn)
    return publish_marts(conn, settings, "snapshot-plan.duckdb")
