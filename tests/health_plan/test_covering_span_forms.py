"""Which span covers a member on a day has one home (``domain.health_plan.enrollment.covering_row``) in two
forms: Python for the pricing engine, SQL for the read side (``reports/health_plan/covering_span.sql`` for
eligibility, ``enrollment_by_month.sql`` for the employer's monthly counts). On hand-built spans both give the
hand-worked answers, and the same answer on every day around them."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from domain.health_plan.enrollment import SpanRow, covering_row
from domain.marts import SCHEMA as MARTS
from reports.health_plan.sql import query

D = dt.date
#: member -> spans (plan_id, tier, start, end); None = open
SPANS = {
    "ONE": [("P1", "EMP", D(2025, 1, 1), D(2025, 3, 31))],
    "OPEN": [("P1", "EMP", D(2025, 2, 15), None)],
    "REENROL": [("P1", "EMP", D(2025, 1, 1), D(2025, 12, 31)), ("P2", "FAM", D(2025, 6, 1), None)],
    "NESTED": [("P1", "EMP", D(2025, 1, 1), D(2025, 12, 31)), ("P2", "ESP", D(2025, 3, 1), D(2025, 3, 31))],
    # A bad feed: two spans start the same day. The lower plan id wins, whatever order the rows come in.
    "TIE": [("P2", "ECH", D(2025, 4, 1), None), ("P1", "EMP", D(2025, 4, 1), D(2025, 9, 30))],
    "GAP": [("P1", "EMP", D(2025, 1, 1), D(2025, 1, 31)), ("P1", "EMP", D(2025, 3, 1), D(2025, 3, 31))],
}

#: (member, day) -> plan covering it, worked by hand from SPANS
HAND = {
    ("ONE", D(2024, 12, 31)): None,
    ("ONE", D(2025, 1, 1)): "P1",
    ("ONE", D(2025, 3, 31)): "P1",  # the end day is covered
    ("ONE", D(2025, 4, 1)): None,
    ("OPEN", D(2030, 1, 1)): "P1",
    ("REENROL", D(2025, 5, 31)): "P1",
    ("REENROL", D(2025, 6, 1)): "P2",  # overlapping: the later start wins
    ("NESTED", D(2025, 3, 15)): "P2",
    ("NESTED", D(2025, 4, 1)): "P1",  # back under the outer span
    ("TIE", D(2025, 4, 1)): "P1",
    ("TIE", D(2025, 10, 1)): "P2",  # P1 has ended
    ("GAP", D(2025, 2, 14)): None,
}


@pytest.fixture(scope="module")
def conn():
    db = duckdb.connect()
    db.execute(f"CREATE SCHEMA {MARTS}")
    db.execute(
        f"CREATE TABLE {MARTS}.employer_enrollment (employer_id VARCHAR, member_id VARCHAR,"
        " relationship VARCHAR, plan_id VARCHAR, coverage_tier VARCHAR, coverage_start DATE,"
        " coverage_end DATE)"
    )
    db.execute(
        f"CREATE TABLE {MARTS}.plan_years (plan_id VARCHAR, name VARCHAR, plan_year INTEGER,"
        " plan_year_start DATE, plan_year_end DATE)"
    )
    for member, spans in SPANS.items():
        for plan, tier, start, end in spans:
            db.execute(
                f"INSERT INTO {MARTS}.employer_enrollment VALUES ('E1', ?, 'self', ?, ?, ?, ?)",
                [member, plan, tier, start, end],
            )
    for plan in ("P1", "P2"):
        for year in (2024, 2025, 2026, 2030):
            db.execute(
                f"INSERT INTO {MARTS}.plan_years VALUES (?, ?, ?, ?, ?)",
                [plan, f"Plan {plan}", year, D(year, 1, 1), D(year, 12, 31)],
            )
    yield db
    db.close()


def _python(member: str, on: dt.date, reverse: bool = False) -> str | None:
    spans = [SpanRow(start, end, plan, tier) for plan, tier, start, end in SPANS[member]]
    span = covering_row(reversed(spans) if reverse else spans, on)
    return None if span is None else span.plan_id


def _sql(conn, member: str, on: dt.date) -> str | None:
    rows = query(conn, "covering_span", {"member_id": member, "on": on}).to_pylist()
    return rows[0]["plan_id"] if rows else None


def test_both_forms_give_the_hand_worked_plan(conn):
    for (member, on), plan in HAND.items():
        assert _python(member, on) == plan, (member, on)
        assert _python(member, on, reverse=True) == plan, (member, on, "rows in the other order")
        assert _sql(conn, member, on) == plan, (member, on)


def test_both_forms_agree_on_every_day_next_to_a_span_boundary(conn):
    edges = {day for spans in SPANS.values() for _, _, *ends in spans for day in ends if day is not None}
    days = sorted({edge + dt.timedelta(days=shift) for edge in edges for shift in (-1, 0, 1)})
    assert len(edges) == 9 and len(days) == 25  # neighbouring edges share days
    for day in days:
        for member in SPANS:
            assert _sql(conn, member, day) == _python(member, day), (member, day)


def test_monthly_counts_count_each_member_under_the_covering_span(conn):
    counts = query(
        conn,
        "enrollment_by_month",
        {"employer": None, "first_month": D(2025, 1, 1), "last_month": D(2025, 12, 1)},
    ).to_pylist()
    by_month: dict = {}
    for row in counts:
        plans = by_month.setdefault(row["month_end"], {})  # one row per plan and tier
        plans[row["plan_id"]] = plans.get(row["plan_id"], 0) + row["members"]
    month = D(2025, 1, 31)
    while month.year == 2025:
        expected: dict = {}
        for member in SPANS:
            plan = _python(member, month)
            if plan is not None:
                expected[plan] = expected.get(plan, 0) + 1
        assert by_month.get(month, {}) == expected, month
        month = _next_month_end(month)
    # Hand-worked: at the end of March five are covered (TIE starts in April), NESTED under P2; at the end of
    # October ONE and GAP have ended, REENROL and TIE are under P2.
    assert by_month[D(2025, 3, 31)] == {"P1": 4, "P2": 1}
    assert by_month[D(2025, 10, 31)] == {"P1": 2, "P2": 2}


def _next_month_end(month_end: dt.date) -> dt.date:
    first_after = month_end + dt.timedelta(days=1)
    return (first_after.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
