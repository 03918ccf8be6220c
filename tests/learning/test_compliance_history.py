"""Compliance history (domain-rules.md "Clarifications"): compliance_status as of each month-end of the
data."""

import datetime as dt

import pytest

from domain.learning.compliance import (
    compliance_history,
    compliance_trend,
    compliance_trend_counts,
    default_as_of,
    history_month_ends,
    month_ends,
)
from tests.learning.builders import completion, person, requirement, staging, tables

D = dt.date


def test_month_ends_run_from_the_first_days_month_to_the_last_full_month_end():
    assert month_ends(D(2025, 11, 17), D(2026, 3, 30)) == [
        D(2025, 11, 30),
        D(2025, 12, 31),
        D(2026, 1, 31),
        D(2026, 2, 28),
    ]  # 31 March is after the last day: not yet a month-end of the data
    assert month_ends(D(2024, 1, 5), D(2024, 2, 29))[-1] == D(2024, 2, 29)  # leap year
    assert history_month_ends(D(2025, 11, 17), D(2026, 3, 31), 2) == [D(2026, 2, 28), D(2026, 3, 31)]
    assert history_month_ends(None, None, 36) == []


def test_the_as_of_date_defaults_to_the_datas_last_day_once_today_is_past_it():
    assert default_as_of(D(2026, 12, 6), D(2026, 10, 31)) == D(2026, 10, 31)
    assert default_as_of(D(2026, 10, 1), D(2026, 10, 31)) == D(2026, 10, 1)
    assert default_as_of(D(2026, 12, 6), None) == D(2026, 12, 6)


def _history(conn, days):
    t = tables(conn)
    from domain.learning.compliance import CompliancePolicy

    expr = compliance_history(
        t["lc_people"],
        t["lc_courses"],
        t["lc_requirements"],
        t["lc_completions"],
        days,
        CompliancePolicy(as_of=days[-1]),
    )
    return expr


def test_each_month_end_gets_the_status_as_of_that_day():
    # Hired 1 Jan 2026, due 30 days later (31 Jan); completed 10 March (15:00 UTC = 10:00 Chicago), yearly.
    # P2 is terminated on 28 Feb: active on 31 Jan, gone from 28 Feb on (terminated as of that day).
    conn = staging(
        people=[
            person("P1", hire_date="2026-01-01"),
            person("P2", "010119800002", hire_date="2025-12-01", termination_date="2026-02-28"),
        ],
        requirements=[requirement(recurrence_months=12, due_days_after_hire=30)],
        completions=[completion(completed_at="2026-03-10 15:00:00")],
    )
    days = [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    rows = _history(conn, days).order_by(["month_end", "person_id"]).to_pyarrow().to_pylist()
    got = [(r["month_end"], r["person_id"], r["status"], r["due_date"]) for r in rows]
    assert got == [
        # 31 Dec: P1 not hired yet; P2 due 31 Dec (1 Dec + 30), not before 31 Dec -> due soon
        (D(2025, 12, 31), "P2", "due_soon", D(2025, 12, 31)),
        # 31 Jan: P1 due 31 Jan -> due soon; P2 due 31 Dec < 31 Jan -> overdue
        (D(2026, 1, 31), "P1", "due_soon", D(2026, 1, 31)),
        (D(2026, 1, 31), "P2", "overdue", D(2025, 12, 31)),
        # 28 Feb: P1 overdue (31 Jan < 28 Feb; the March completion is not visible yet); P2 terminated
        (D(2026, 2, 28), "P1", "overdue", D(2026, 1, 31)),
        # 31 Mar: completed 10 Mar, valid 12 months -> due 10 Mar 2027 -> compliant
        (D(2026, 3, 31), "P1", "compliant", D(2027, 3, 10)),
    ]
    assert all(r["as_of"] == r["month_end"] for r in rows)


def test_the_trend_gives_percent_compliant_per_department_and_month():
    conn = staging(
        people=[
            person("P1", hire_date="2025-01-01", department="ICU"),
            person("P2", "010119800002", hire_date="2025-01-01", department="ICU"),
            person("P3", "010119800003", hire_date="2025-01-01", department="ER"),
        ],
        requirements=[requirement(recurrence_months=12, due_days_after_hire=30)],
        completions=[
            completion("X1", completed_at="2025-01-20 15:00:00"),  # P1, valid to 20 Jan 2026
            completion("X2", lc_user_id="010119800002", completed_at="2026-01-25 15:00:00"),
        ],
    )
    counts = compliance_trend_counts(_history(conn, [D(2025, 12, 31), D(2026, 1, 31)]))
    got_counts = [
        (
            r["month_end"],
            r["department"],
            r["n_overdue"],
            r["n_due_soon"],
            r["n_compliant"],
            r["n_not_due_yet"],
        )
        for r in counts.order_by(["month_end", "department"]).to_pyarrow().to_pylist()
    ]
    assert got_counts == [  # the mart's rows: requirements per status (see the percentages below)
        (D(2025, 12, 31), "ER", 1, 0, 0, 0),
        (D(2025, 12, 31), "ICU", 1, 1, 0, 0),
        (D(2026, 1, 31), "ER", 1, 0, 0, 0),
        (D(2026, 1, 31), "ICU", 1, 0, 1, 0),
    ]
    trend = compliance_trend(counts, "department")
    got = [
        (r["month_end"], r["department"], float(r["pct_compliant"])) for r in trend.to_pyarrow().to_pylist()
    ]
    assert got == [
        # 31 Dec: ER P3 overdue since 31 Jan 2025 (0 %); ICU: P1 due 20 Jan 2026 within 30 days -> due soon,
        # P2 overdue -> 0 of 2
        (D(2025, 12, 31), "ER", 0.0),
        (D(2025, 12, 31), "ICU", 0.0),
        # 31 Jan: P1 expired 20 Jan -> overdue; P2 renewed 25 Jan -> compliant: 1 of 2 = 50 %
        (D(2026, 1, 31), "ER", 0.0),
        (D(2026, 1, 31), "ICU", 50.0),
    ]


def test_the_trend_adds_counts_before_taking_the_percentage():
    import ibis

    # Two mart rows of one department and month (as a finer grain would give): 1 of 4 and 3 of 4 assessed are
    # 4 of 8 = 50.0 %, not the mean of 25 % and 75 % weighted any other way; not-due-yet requirements stay
    # out.
    counts = ibis.memtable(
        {
            "month_end": [D(2026, 1, 31), D(2026, 1, 31), D(2026, 1, 31)],
            "department": ["ICU", "ICU", "ER"],
            "n_overdue": [3, 0, 0],
            "n_due_soon": [0, 1, 0],
            "n_compliant": [1, 3, 0],
            "n_not_due_yet": [5, 0, 2],
        }
    )
    rows = compliance_trend(counts, "department").to_pyarrow().to_pylist()
    got = [(r["department"], r["n_compliant"], r["n_assessed"], r["pct_compliant"]) for r in rows]
    assert [(d, c, a, None if p is None else float(p)) for d, c, a, p in got] == [
        ("ER", 0, 0, None),  # nothing assessed: no percentage rather than 0 %
        ("ICU", 4, 8, 50.0),
    ]


def test_the_trend_is_by_department_only():
    import ibis

    counts = ibis.memtable({"month_end": [D(2026, 1, 31)], "department": ["ICU"], "n_compliant": [1]})
    with pytest.raises(ValueError, match="job_role"):
        compliance_trend(counts, "job_role")


def test_each_month_end_sees_the_last_qualifying_completion_on_or_before_it():
    # Yearly requirement, hired 1 Jan 2025 (first due 31 Jan 2025). Completions (15:00 UTC = 9-10:00 Chicago):
    # 10 Feb 2025; a failed attempt 5 Mar (never counts); 3 and 20 Apr (two in one month: the later one holds
    # at 30 Apr); waived 31 May, on the month-end itself (it counts that day). The id arrives in another form.
    formatted = "03/15/1980 1234"
    conn = staging(
        people=[person("P1", hire_date="2025-01-01")],
        requirements=[requirement(recurrence_months=12, due_days_after_hire=30)],
        completions=[
            completion("X1", formatted, completed_at="2025-02-10 15:00:00"),
            completion("X2", completed_at="2025-03-05 15:00:00", status="failed"),
            completion("X3", completed_at="2025-04-03 15:00:00"),
            completion("X4", formatted, completed_at="2025-04-20 15:00:00"),
            completion("X5", completed_at="2025-05-31 15:00:00", status="waived"),
        ],
    )
    days = [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 31)]
    rows = _history(conn, days).order_by("month_end").to_pyarrow().to_pylist()
    got = [(r["month_end"], r["last_completion"], r["due_date"], r["status"]) for r in rows]
    assert got == [
        (D(2025, 1, 31), None, D(2025, 1, 31), "due_soon"),  # nothing yet: due 30 days after hire
        (D(2025, 2, 28), D(2025, 2, 10), D(2026, 2, 10), "compliant"),
        (D(2025, 3, 31), D(2025, 2, 10), D(2026, 2, 10), "compliant"),  # the failed attempt changes nothing
        (D(2025, 4, 30), D(2025, 4, 20), D(2026, 4, 20), "compliant"),
        (D(2025, 5, 31), D(2025, 5, 31), D(2026, 5, 31), "compliant"),
    ]
