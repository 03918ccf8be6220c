"""A small published snapshot built by hand: the marts the staff and education-manager pages read.

People (department, job role, manager):
    P0001 Zoë Lovelace  ICU RN  M0001     P0002 Ben Okafor  ICU RN  M0001
    P0003 Cy Young      ER  MD  M0002     P0004 Dee Stone   ONC RN  M0003 (outside the ICU/ER manager's scope)
    M0001 Mia Park      ICU MGR  (manages P0001, P0002; has no requirements)

Everything is as of AS_OF = 2026-06-30 (window 30 days: due soon up to 2026-07-30). Expected figures are
worked out beside each table, so tests can quote them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

import duckdb
import ibis
from streamlit.runtime.media_file_manager import MediaFileManager

from domain.learning.compliance import compliance_rollup, compliance_trend_counts
from domain.settings import Settings

AS_OF = dt.date(2026, 6, 30)
STAFF_ID = "P0001"
STAFF_NAME = "Zoë Lovelace"
MANAGER_SCOPE = ("ICU", "ER")

PEOPLE = [
    # person_id, first, last, department, job_role, manager
    ("P0001", "Zoë", "Lovelace", "ICU", "RN", "M0001"),
    ("P0002", "Ben", "Okafor", "ICU", "RN", "M0001"),
    ("P0003", "Cy", "Young", "ER", "MD", "M0002"),
    ("P0004", "Dee", "Stone", "ONC", "RN", "M0003"),
    ("M0001", "Mia", "Park", "ICU", "MGR", None),
]

D = Decimal
date = dt.date  # the hand-built tables below, one row per line
BLS = "Basic life support"
# P0001's transcript, newest first. E1 carries two credit types: its 1.50 hours count once.
#   Complete History: hours 1.00 + 1.50 + 4.00 + 2.50 = 9.00; AMA_PRA_1 1.50; ANCC 1.50 + 4.00 = 5.50
#   2026-01-01 .. 2026-06-30: C1 and E1 only: hours 1.00 + 1.50 = 2.50; AMA_PRA_1 1.50; ANCC 1.50
TRANSCRIPT = [
    # person_id, source, item_id, title, completed_on, credit_type, credits, hours
    ("P0001", "learning_center", "C1", "Hand hygiene", dt.date(2026, 5, 10), None, None, D("1.00")),
    ("P0001", "ce", "E1", "Sepsis grand rounds", dt.date(2026, 4, 2), "AMA_PRA_1", D("1.50"), D("1.50")),
    ("P0001", "ce", "E1", "Sepsis grand rounds", dt.date(2026, 4, 2), "ANCC", D("1.50"), D("1.50")),
    ("P0001", "external", "X1", "ACLS renewal", dt.date(2025, 11, 20), "ANCC", D("4.00"), D("4.00")),
    ("P0001", "learning_center", "C0", "Orientation", dt.date(2024, 1, 15), None, None, D("2.50")),
    ("P0002", "learning_center", "C7", "Ben's secret course", dt.date(2026, 6, 1), None, None, D("3.00")),
]

# Rollup by department for the ICU/ER manager:
#   ICU: 2 people, 5 requirements: overdue 2 (P0002 R1, P0001 R3), due_soon 1, compliant 2 -> 2/5 = 40.0 %
#   ER:  1 person, 2 requirements: due_soon 1, not_due_yet 1 (left out) -> 0/1 = 0.0 %
# fmt: off
COMPLIANCE = [
    # person_id, requirement_id, course, due_date, status, last_completion, expires_on
    ("P0001", "R1", "Hand hygiene", date(2027, 5, 10), "compliant", date(2026, 5, 10), date(2027, 5, 10)),
    ("P0001", "R2", BLS, date(2026, 7, 15), "due_soon", date(2024, 7, 15), date(2026, 7, 15)),
    ("P0001", "R3", "Fire safety", date(2026, 6, 1), "overdue", None, None),
    ("P0002", "R1", "Hand hygiene", date(2026, 3, 1), "overdue", None, None),
    ("P0002", "R2", BLS, date(2027, 1, 1), "compliant", date(2025, 1, 1), date(2027, 1, 1)),
    ("P0003", "R1", "Hand hygiene", date(2026, 9, 1), "not_due_yet", None, None),
    ("P0003", "R2", BLS, date(2026, 7, 20), "due_soon", date(2024, 7, 20), date(2026, 7, 20)),
    ("P0004", "R1", "Hand hygiene", date(2026, 5, 1), "overdue", None, None),
]
# fmt: on

# compliance_history: the month-ends before AS_OF (AS_OF itself is a month-end: its rows are COMPLIANCE).
#   30 April: ICU 2 of 4 assessed compliant = 50.0 % (P0001 R1 due soon, R3 not due yet and left out; P0002 R1
#             overdue); ER 1 of 1 = 100.0
#   31 May:   ICU 3 of 5 = 60.0 % (P0001 R3 due soon, due 1 June; P0002 R1 overdue); ER 1 of 1 = 100.0
#   30 June:  ICU 2 of 5 = 40.0 %, ER 0 of 1 = 0.0 (as COMPLIANCE above)
#   ONC"s P0004 is in every month and never in the ICU/ER manager"s trend.
# fmt: off
HISTORY = {
    date(2026, 4, 30): [
        ("P0001", "R1", "Hand hygiene", date(2026, 5, 20), "due_soon", date(2025, 5, 20), date(2026, 5, 20)),
        ("P0001", "R2", BLS, date(2026, 7, 15), "compliant", date(2024, 7, 15), date(2026, 7, 15)),
        ("P0001", "R3", "Fire safety", date(2026, 6, 1), "not_due_yet", None, None),
        ("P0002", "R1", "Hand hygiene", date(2026, 3, 1), "overdue", None, None),
        ("P0002", "R2", BLS, date(2027, 1, 1), "compliant", date(2025, 1, 1), date(2027, 1, 1)),
        ("P0003", "R2", BLS, date(2026, 7, 20), "compliant", date(2024, 7, 20), date(2026, 7, 20)),
        ("P0004", "R1", "Hand hygiene", date(2026, 5, 1), "due_soon", None, None),
    ],
    date(2026, 5, 31): [
        ("P0001", "R1", "Hand hygiene", date(2027, 5, 10), "compliant", date(2026, 5, 10), date(2027, 5, 10)),
        ("P0001", "R2", BLS, date(2026, 7, 15), "compliant", date(2024, 7, 15), date(2026, 7, 15)),
        ("P0001", "R3", "Fire safety", date(2026, 6, 1), "due_soon", None, None),
        ("P0002", "R1", "Hand hygiene", date(2026, 3, 1), "overdue", None, None),
        ("P0002", "R2", BLS, date(2027, 1, 1), "compliant", date(2025, 1, 1), date(2027, 1, 1)),
        ("P0003", "R2", BLS, date(2026, 7, 20), "compliant", date(2024, 7, 20), date(2026, 7, 20)),
        ("P0004", "R1", "Hand hygiene", date(2026, 5, 1), "overdue", None, None),
    ],
}
# fmt: on

# P0001's certificates as of 2026-06-30: E1 expires in 4 days (warned), E2 in 25 (not), E0 is gone.
CERTIFICATES = [
    # event_id, person_id, activity_id, title, status, available_until, days_left, expiring_soon
    ("E1", "P0001", "A1", "Sepsis grand rounds", "issued", dt.date(2026, 7, 4), 4, True),
    ("E2", "P0001", "A2", "Stroke update", "awaiting_evaluation", dt.date(2026, 7, 25), 25, False),
    ("E0", "P0001", "A0", "Airway basics", "expired", dt.date(2026, 5, 2), -59, False),
    ("E9", "P0002", "A1", "Sepsis grand rounds", "issued", dt.date(2026, 7, 4), 4, True),
]

# The CE accounts of the certificates (ce_accounts mart: phone masked to the last four digits). CE-P0001 and
# CE-P0001-OLD are Zoë's (the old personal account merged into the SSO one: both carry her person_id).
CE_ACCOUNTS = [
    # account_id, first, last, email, degree, phone (masked), person_id
    ("CE-P0001", "Zoë", "Lovelace", "zoe.lovelace@hospital.example", "RN", "***-***-0101", "P0001"),
    ("CE-P0001-OLD", "Zoe", "Lovelace", "zoe.l@gmail.example", "RN", "***-***-0101", "P0001"),
    ("CE-P0002", "Ben", "Okafor", "ben.okafor@hospital.example", "RN", "***-***-0202", "P0002"),
]
# Credit items of the certificates: E1 carries two credit types (see TRANSCRIPT).
CE_CREDIT_ITEMS = [
    # account_id, person_id, source, item_id, activity_id, title, provider, completed_on, credit_type, credits
    (
        "CE-P0001",
        "P0001",
        "ce",
        "E1",
        "A1",
        "Sepsis grand rounds",
        None,
        dt.date(2026, 4, 2),
        "AMA_PRA_1",
        D("1.50"),
    ),
    (
        "CE-P0001",
        "P0001",
        "ce",
        "E1",
        "A1",
        "Sepsis grand rounds",
        None,
        dt.date(2026, 4, 2),
        "ANCC",
        D("1.50"),
    ),
    (
        "CE-P0002",
        "P0002",
        "ce",
        "E9",
        "A1",
        "Sepsis grand rounds",
        None,
        dt.date(2026, 4, 2),
        "ANCC",
        D("1.50"),
    ),
]

# The CE team merged Zoë's old personal account into her SSO one; her old account's phone is +1 555 123 0101.
CE_SURVIVORS = [("CE-P0001-OLD", "CE-P0001", 1)]
CE_PHONES = [("CE-P0001", "+15551230101"), ("CE-P0001-OLD", "+15551230101"), ("CE-P0002", "+15551230202")]
# Claims: E1 accepted; a text from her old account's phone for A2 arrived too late (outside_window).
CE_OUTCOMES = [
    # event_id, account_id, activity_id, outcome, reason, channel, received_at, claimed_account_id, person_id
    ("E1", "CE-P0001", "A1", "accepted", None, "sms", dt.datetime(2026, 4, 2, 18, 0), "CE-P0001", "P0001"),
    (
        "E5",
        "CE-P0001-OLD",
        "A2",
        "rejected",
        "outside_window",
        "sms",
        dt.datetime(2026, 5, 1, 9, 0),
        "CE-P0001-OLD",
        "P0001",
    ),
    ("E9", "CE-P0002", "A1", "accepted", None, "qr", dt.datetime(2026, 4, 2, 18, 5), "CE-P0002", "P0002"),
]

DDL = """
CREATE SCHEMA marts;
CREATE TABLE marts.learning_people (person_id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR,
    department VARCHAR, job_role VARCHAR, manager_person_id VARCHAR, hire_date DATE, termination_date DATE,
    is_student BOOLEAN, lc_user_id_masked VARCHAR);
CREATE TABLE marts.transcript_items (person_id VARCHAR, source VARCHAR, item_id VARCHAR, title VARCHAR,
    completed_on DATE, credit_type VARCHAR, credits DECIMAL(14,2), hours DECIMAL(14,2));
CREATE TABLE marts.compliance_status (person_id VARCHAR, requirement_id VARCHAR, course_id VARCHAR,
    due_date DATE, status VARCHAR, department VARCHAR, job_role VARCHAR, manager_person_id VARCHAR,
    first_name VARCHAR, last_name VARCHAR, course_title VARCHAR, last_completion DATE, expires_on DATE,
    window_days INTEGER, as_of DATE);
CREATE TABLE marts.compliance_history (month_end DATE, person_id VARCHAR, requirement_id VARCHAR,
    course_id VARCHAR, due_date DATE, status VARCHAR, department VARCHAR, job_role VARCHAR,
    manager_person_id VARCHAR, first_name VARCHAR, last_name VARCHAR, course_title VARCHAR, last_completion
    DATE,
    expires_on DATE, window_days INTEGER, as_of DATE);
CREATE TABLE marts.ce_certificates (event_id VARCHAR, account_id VARCHAR, person_id VARCHAR, activity_id
VARCHAR,
    title VARCHAR, evaluation_required BOOLEAN, evaluated_at TIMESTAMP, status VARCHAR, available_until DATE,
    days_left BIGINT, expiring_soon BOOLEAN);
CREATE TABLE marts.ce_accounts (account_id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR,
    degree VARCHAR, mobile_phone VARCHAR, person_id VARCHAR);
CREATE TABLE marts.ce_account_survivors (account_id VARCHAR, survivor_account_id VARCHAR, decision_id BIGINT);
CREATE TABLE marts.ce_account_phones (account_id VARCHAR, phone_sha256 VARCHAR);
CREATE TABLE marts.ce_attendance_outcomes (event_id VARCHAR, account_id VARCHAR, activity_id VARCHAR,
    outcome VARCHAR, reason VARCHAR, channel VARCHAR, received_at TIMESTAMP, claimed_account_id VARCHAR,
    person_id VARCHAR);
CREATE TABLE marts.ce_credit_items (account_id VARCHAR, person_id VARCHAR, source VARCHAR, item_id VARCHAR,
    activity_id VARCHAR, title VARCHAR, provider_name VARCHAR, completed_on DATE, credit_type VARCHAR,
    credits DECIMAL(14,2));
"""


def _insert(conn, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO marts.{table} VALUES ({marks})", rows)


def build_marts(conn, as_of_dates: tuple[dt.date, ...] = (AS_OF,), history: bool = True) -> None:
    """The marts in ``conn``; compliance_status once per as-of date (the real pipeline writes one); with
    ``history`` the month-ends of :data:`HISTORY` and AS_OF in compliance_history."""
    conn.execute(DDL)
    people = {p[0]: p for p in PEOPLE}
    _insert(
        conn,
        "learning_people",
        [
            (
                pid,
                first,
                last,
                f"{pid.lower()}@example.org",
                dept,
                role,
                mgr,
                dt.date(2020, 1, 6),
                None,
                False,
                "••••••••1234",
            )
            for pid, first, last, dept, role, mgr in PEOPLE
        ],
    )
    _insert(conn, "transcript_items", TRANSCRIPT)

    def rows(day, items):
        for pid, req, course, due, status, last, expires in items:
            _, first, last_name, dept, role, mgr = people[pid]
            row = (
                pid,
                req,
                f"C-{req}",
                due,
                status,
                dept,
                role,
                mgr,
                first,
                last_name,
                course,
                last,
                expires,
            )
            yield (*row, 30, day)

    _insert(conn, "compliance_status", [r for day in as_of_dates for r in rows(day, COMPLIANCE)])
    if history:
        months = [*HISTORY.items(), (AS_OF, COMPLIANCE)]
        _insert(conn, "compliance_history", [(day, *r) for day, items in months for r in rows(day, items)])
    _insert(
        conn,
        "ce_certificates",
        [
            (e, f"CE-{p}", p, a, t, True, None, s, until, left, soon)
            for e, p, a, t, s, until, left, soon in CERTIFICATES
        ],
    )
    _insert(conn, "ce_accounts", CE_ACCOUNTS)
    _insert(conn, "ce_credit_items", CE_CREDIT_ITEMS)
    _insert(conn, "ce_account_survivors", CE_SURVIVORS)
    _insert(conn, "ce_account_phones", [(a, hashlib.sha256(p.encode()).hexdigest()) for a, p in CE_PHONES])
    _insert(conn, "ce_attendance_outcomes", CE_OUTCOMES)
    status = ibis.duckdb.from_connection(conn).table("compliance_status", database="marts")
    for name, by in (
        ("compliance_by_department", "department"),
        ("compliance_by_manager", "manager_person_id"),
        ("compliance_by_job_role", "job_role"),
    ):
        conn.execute(
            f"CREATE TABLE marts.{name} AS {ibis.to_sql(compliance_rollup(status, by), dialect='duckdb')}"
        )
    # The trend mart from the history by the pipeline's rule (empty when the history is).
    history_rows = ibis.duckdb.from_connection(conn).table("compliance_history", database="marts")
    trend_sql = ibis.to_sql(compliance_trend_counts(history_rows), dialect="duckdb")
    conn.execute(f"CREATE TABLE marts.compliance_trend AS {trend_sql}")


def publish_snapshot(
    settings: Settings, as_of_dates: tuple[dt.date, ...] = (AS_OF,), history: bool = True
) -> None:
    """Write the marts into ``published/snapshot-test.duckdb`` and point ``current.duckdb`` at it, as publish
    does."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    target = settings.published_dir / "snapshot-test.duckdb"
    with duckdb.connect(str(target)) as conn:
        build_marts(conn, as_of_dates, history)
    settings.current_snapshot.symlink_to(target.name)


def capture_downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """Record each deferred ``st.download_button`` by file name, so a test can "press" it by calling it.

    The server calls the same callable when the button is pressed in a browser (``execute_deferred``).
    """
    captured: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured
