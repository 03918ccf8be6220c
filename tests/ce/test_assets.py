"""The CE marts, built by the Dagster assets on a tiny warehouse file: names, columns, known values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.marts import CE_ASSETS
from assets.common import RunSettings
from assets.warehouse import open_warehouse
from tests.ce.builders import claim, evaluation, external, sms, warehouse
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS, PHONE_A1, PHONE_NOBODY

CLAIMS = [
    sms("E1", "2026-03-04 14:30", PHONE_A1, "12345"),  # A1 (P1, MD): accepted, AMA 1.50
    sms("E2", "2026-03-04 14:35", PHONE_A1, "12345"),  # duplicate
    sms("E3", "2026-03-04 14:40", PHONE_NOBODY, "12345"),  # unknown_phone
    claim("E4", "portal", "2026-03-10 15:00", "A5", "ACT2"),  # A5 (PharmD, no person): ACPE 2.00
]

EXPECTED_COLUMNS = {
    "ce_attendance_outcomes": [
        "event_id", "account_id", "activity_id", "outcome", "reason", "channel", "received_at",
        "claimed_account_id", "person_id", "code", "from_phone",
    ],
    "ce_credits_awarded": [
        "event_id", "account_id", "person_id", "activity_id", "title", "completed_on", "credit_type",
        "credits",
    ],
    "ce_credit_items": [
        "account_id", "person_id", "source", "item_id", "activity_id", "title", "provider_name",
        "completed_on", "credit_type", "credits",
    ],
    "ce_credit_totals": ["account_id", "person_id", "credit_type", "year", "credits"],
    "ce_person_credit_totals": ["person_id", "credit_type", "year", "credits"],
    "ce_certificates": [
        "event_id", "account_id", "person_id", "activity_id", "title", "evaluation_required", "evaluated_at",
        "status", "available_until", "days_left", "expiring_soon",
    ],
    "ce_transcript_items": [
        "person_id", "source", "item_id", "title", "completed_on", "credit_type", "credits", "hours",
    ],
}  # fmt: skip


def build(tmp_path, as_of="2026-03-20"):
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse(str(path)) as conn:
        warehouse(
            conn,
            accounts=ACCOUNTS,
            activities=ACTIVITIES,
            credits=CREDITS,
            attendance=CLAIMS,
            evaluations=[evaluation("V1", "A1", "ACT1", "2026-03-05 12:00")],
            externals=[external("X1", "A1", "AMA_PRA_1", "0.25", "2026-05-01")],
        )
    result = dg.materialize(
        CE_ASSETS,
        resources={"duckdb": DuckDBResource(database=str(path)), "run_settings": RunSettings(as_of=as_of)},
    )
    assert result.success
    return open_warehouse(str(path))


def fetch(conn, sql):
    return conn.execute(sql).fetchall()


def test_marts_have_the_published_columns(tmp_path):
    conn = build(tmp_path)
    for mart, columns in EXPECTED_COLUMNS.items():
        got = [r[0] for r in fetch(conn, f"DESCRIBE marts.{mart}")]
        assert got == columns, mart


def test_marts_hold_the_expected_rows(tmp_path):
    conn = build(tmp_path)
    assert fetch(
        conn, "SELECT event_id, outcome, reason FROM marts.ce_attendance_outcomes ORDER BY event_id"
    ) == [
        ("E1", "accepted", None),
        ("E2", "rejected", "duplicate"),
        ("E3", "rejected", "unknown_phone"),
        ("E4", "accepted", None),
    ]
    # A1 AMA 2026 = E1 1.50 + X1 0.25 = 1.75
    assert fetch(conn, "SELECT account_id, credit_type, year, credits FROM marts.ce_credit_totals") == [
        ("A1", "AMA_PRA_1", 2026, Decimal("1.75")),
        ("A5", "ACPE", 2026, Decimal("2.00")),
    ]
    assert fetch(conn, "SELECT * FROM marts.ce_person_credit_totals") == [
        ("P1", "AMA_PRA_1", 2026, Decimal("1.75"))
    ]
    # as of 20 March: E1 evaluated (issued, until 3 Apr); E4 on its last day (until 20 Mar, expiring soon)
    assert fetch(
        conn, "SELECT event_id, status, available_until, expiring_soon FROM marts.ce_certificates"
    ) == [
        ("E1", "issued", dt.date(2026, 4, 3), False),
        ("E4", "issued", dt.date(2026, 3, 20), True),
    ]
    assert fetch(
        conn, "SELECT person_id, source, item_id, completed_on, credits FROM marts.ce_transcript_items"
    ) == [
        ("P1", "ce", "E1", dt.date(2026, 3, 4), Decimal("1.50")),
        ("P1", "external", "X1", dt.date(2026, 5, 1), Decimal("0.25")),
    ]


def test_the_certificates_mart_follows_the_run_date(tmp_path):
    conn = build(tmp_path, as_of="2026-03-21")
    assert fetch(conn, "SELECT event_id, status FROM marts.ce_certificates") == [
        ("E1", "issued"),
        ("E4", "expired"),
    ]


def test_a_second_run_gives_identical_marts(tmp_path):
    conn = build(tmp_path)
    first = {m: fetch(conn, f"SELECT * FROM marts.{m}") for m in EXPECTED_COLUMNS}
    conn.close()
    conn = build(tmp_path)
    assert {m: fetch(conn, f"SELECT * FROM marts.{m}") for m in EXPECTED_COLUMNS} == first
