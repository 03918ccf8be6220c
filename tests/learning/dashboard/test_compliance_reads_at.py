"""The Compliance page's reads (.sql rows shared in memory, domain rules compiled once) return exactly what
the Ibis reads over the marts returned: the same frames, column types included, for every role's scope and for
the run's date and each month-end of the history.

The snapshot is the hand-built one (tests/dashboard/published_marts.py) plus rows that make order and
grouping hard: an undated requirement, a person without a manager or department, names that sort differently
by case and accent, and two requirements of one person due the same day.
"""

import datetime as dt

import duckdb
import ibis
import pandas as pd
import pytest

from domain.learning.compliance import STATUS_COLUMNS, compliance_rollup, compliance_trend
from reports.learning import compliance, staff_views
from reports.learning.access import scope_filter
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.published_marts import AS_OF, HISTORY, MANAGER_SCOPE, publish_snapshot

MAY = dt.date(2026, 5, 31)


def _row(person, requirement, due, status, department, manager, first, last, course) -> tuple:
    """A row of compliance_status's columns before as_of (job role RN, window 30 days, nothing completed)."""
    return (
        person,
        requirement,
        f"C-{requirement}",
        due,
        status,
        department,
        "RN",
        manager,
        first,
        last,
        course,
    )


HARD_ROWS = [
    (*_row("P0010", "R1", None, "not_due_yet", "ICU", None, "émile", "zola", "Hand hygiene"), None, None, 30),
    (
        *_row("P0010", "R2", dt.date(2026, 6, 2), "overdue", "ICU", None, "émile", "zola", "Fire"),
        None,
        None,
        30,
    ),
    (
        *_row("P0010", "R3", dt.date(2026, 6, 2), "overdue", "ICU", None, "émile", "zola", "Airway"),
        None,
        None,
        30,
    ),
    (
        *_row("P0011", "R1", dt.date(2026, 7, 1), "due_soon", "ER", "M0009", "Adam", "Zola", "Hand"),
        None,
        None,
        30,
    ),
    (
        *_row("P0012", "R1", dt.date(2026, 6, 3), "overdue", None, "M0001", "No", "Nowhere", "Hand"),
        None,
        None,
        30,
    ),
]

ADMIN = Principal("ada", Role.ADMIN)
MANAGER = Principal("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
ONC_MANAGER = Principal("otto", Role.EDUCATION_MANAGER, ("ONC",))
NOBODYS_MANAGER = Principal("nemo", Role.EDUCATION_MANAGER, ())
STAFF = Principal("zoe", Role.STAFF, ("P0001",))
MANAGERS_AND_ADMIN = [ADMIN, MANAGER, ONC_MANAGER, NOBODYS_MANAGER]


@pytest.fixture
def snapshot(settings):
    publish_snapshot(settings)
    with duckdb.connect(str(settings.current_snapshot)) as conn:
        for day in (AS_OF, MAY):
            table = "compliance_status" if day == AS_OF else "compliance_history"
            first = [day] if table == "compliance_history" else []
            marks = ", ".join("?" * (len(first) + len(STATUS_COLUMNS)))
            conn.executemany(
                f"INSERT INTO marts.{table} VALUES ({marks})",  # noqa: S608 (fixed table names)
                [[*first, *row, day] for row in HARD_ROWS],
            )
    return settings


def _rows(principal, conn, as_of) -> ibis.Table:
    """The Ibis read of the rows at a date, as the page read them before."""
    db = ibis.duckdb.from_connection(conn.cursor())
    if as_of == AS_OF:
        t = db.table("compliance_status", database="marts")
        t = t.filter(t.as_of == as_of)
    else:
        t = db.table("compliance_history", database="marts")
        t = t.filter(t.month_end == as_of).select(*STATUS_COLUMNS)
    return scope_filter(principal, t)


def _frame(expr: ibis.Table) -> pd.DataFrame:
    return expr.to_pyarrow().to_pandas()


def _ordered(t: ibis.Table) -> pd.DataFrame:
    return _frame(t.order_by([ibis.asc("due_date", nulls_first=False), "person_id", "requirement_id"]))


@pytest.mark.parametrize("as_of", [AS_OF, MAY, min(HISTORY)])
@pytest.mark.parametrize("principal", MANAGERS_AND_ADMIN, ids=lambda p: f"{p.role}{list(p.scope)}")
def test_each_read_at_a_date_equals_the_ibis_read_of_the_marts(snapshot, principal, as_of):
    with open_snapshot(snapshot) as conn:
        rows = _rows(principal, conn, as_of)
        for by in ("department", "manager_person_id", "job_role"):
            pd.testing.assert_frame_equal(
                staff_views.compliance_summary_at(principal, conn, by, as_of),
                _frame(compliance_rollup(rows, by)),
            )
        pd.testing.assert_frame_equal(staff_views.compliance_rows_at(principal, conn, as_of), _ordered(rows))
        late = rows.filter(rows.status.isin(["overdue", "due_soon"]))
        pd.testing.assert_frame_equal(
            staff_views.compliance_rows_at(principal, conn, as_of, statuses=["overdue", "due_soon"]),
            _ordered(late),
        )
        for person in ("P0010", "P0004", "nobody"):
            pd.testing.assert_frame_equal(
                staff_views.compliance_rows_at(principal, conn, as_of, person_id=person),
                _ordered(rows.filter(rows.person_id == person)),
            )
        people = rows.select("person_id", "first_name", "last_name", "department").distinct()
        pd.testing.assert_frame_equal(
            staff_views.compliance_people_at(principal, conn, as_of),
            _frame(people.order_by(["last_name", "first_name", "person_id"])),
        )


@pytest.mark.parametrize("principal", MANAGERS_AND_ADMIN, ids=lambda p: f"{p.role}{list(p.scope)}")
def test_the_dates_and_the_trend_equal_the_ibis_reads_of_the_marts(snapshot, principal):
    with open_snapshot(snapshot) as conn:
        db = ibis.duckdb.from_connection(conn.cursor())
        counts = scope_filter(principal, db.table("compliance_trend", database="marts"))
        pd.testing.assert_frame_equal(
            compliance.trend(principal, conn), _frame(compliance_trend(counts, "department"))
        )
        month_ends = sorted(_frame(counts.select("month_end").distinct())["month_end"], reverse=True)
        assert compliance.month_ends(principal, conn) == month_ends
        status = scope_filter(principal, db.table("compliance_status", database="marts"))
        run_dates = sorted(_frame(status.select("as_of").distinct())["as_of"], reverse=True)
        assert staff_views.compliance_as_of_dates(principal, conn) == run_dates
    if principal is MANAGER:  # worked out by hand: the run's date, then the two month-ends before it
        assert run_dates == [AS_OF] and month_ends == [AS_OF, MAY, dt.date(2026, 4, 30)]


def test_the_hard_rows_come_in_the_order_a_reader_expects(snapshot):
    with open_snapshot(snapshot) as conn:
        rows = staff_views.compliance_rows_at(MANAGER, conn, AS_OF)
        people = staff_views.compliance_people_at(ADMIN, conn, AS_OF)
        by_manager = staff_views.compliance_summary_at(ADMIN, conn, "manager_person_id", AS_OF)
    # due 1 March (P0002 R1), 1 June (P0001 R3), then P0010's two due 2 June by requirement; undated last
    assert list(zip(rows["person_id"][:4], rows["requirement_id"][:4], strict=True)) == [
        ("P0002", "R1"),
        ("P0001", "R3"),
        ("P0010", "R2"),
        ("P0010", "R3"),
    ]
    assert (rows["person_id"].iloc[-1], rows["requirement_id"].iloc[-1]) == ("P0010", "R1")
    # by last name as stored, byte by byte: capitals before small letters ("Zola" before "zola")
    assert list(people["person_id"]) == ["P0001", "P0012", "P0002", "P0004", "P0003", "P0011", "P0010"]
    # the person without a manager (P0010) is in no manager's row; P0012 (no department) counts under M0001
    assert list(by_manager["manager_person_id"]) == ["M0001", "M0002", "M0003", "M0009"]
    assert list(by_manager["people"]) == [3, 1, 1, 1]


def test_the_reads_refuse_a_role_without_learning_access_and_scope_staff_to_themselves(snapshot):
    with open_snapshot(snapshot) as conn:
        with pytest.raises(NotPermitted):
            staff_views.compliance_rows_at(Principal("m", Role.MEMBER, ("M1",)), conn, AS_OF)
        with pytest.raises(NotPermitted):
            staff_views.compliance_as_of_dates(Principal("s", Role.STAFF, ()), conn)
        assert set(staff_views.compliance_rows_at(STAFF, conn, AS_OF)["person_id"]) == {"P0001"}
        assert staff_views.compliance_rows_at(NOBODYS_MANAGER, conn, AS_OF).empty
