"""compliance_history is one set-based query over all month-ends; it must give exactly what compliance_status gives
as of each month-end (its definition, and what the mart was built from before: one query per month-end)."""

import datetime as dt
from dataclasses import replace

import ibis

from domain.compliance import (
    HISTORY_COLUMNS,
    CompliancePolicy,
    compliance_history,
    compliance_status,
    month_ends,
)
from tests.learning.builders import completion, course, person, requirement, staging, tables

D = dt.date
POLICY = CompliancePolicy(as_of=D(2026, 6, 30))


def month_by_month(t: dict, days: list[dt.date], policy: CompliancePolicy) -> ibis.Table:
    """The definition: compliance_status as of each month-end, stacked."""
    parts = [
        compliance_status(
            t["lc_people"],
            t["lc_courses"],
            t["lc_requirements"],
            t["lc_completions"],
            replace(policy, as_of=day),
        ).mutate(month_end=ibis.literal(day))
        for day in days
    ]
    return ibis.union(*parts, distinct=False).select(*HISTORY_COLUMNS)


def rows_of(expr: ibis.Table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in expr.to_pyarrow().to_pylist())


def both(conn, days, policy=POLICY) -> tuple[list[tuple], list[tuple]]:
    t = tables(conn)
    one_query = compliance_history(
        t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"], days, policy
    )
    assert one_query.columns == HISTORY_COLUMNS
    return rows_of(one_query), rows_of(month_by_month(t, days, policy))


def test_renewals_failures_same_day_repeats_and_id_forms_give_each_month_ends_status():
    b = "010119800002"
    conn = staging(
        people=[
            person("P1", hire_date="2025-01-10"),
            # Written with slashes in the roster, plain digits in the completions: the same person.
            person("P2", "01/01/1980 0002", hire_date="2025-03-31", department="ER", job_role="MD"),
            person("P3", "010119800003", hire_date="2025-02-01", termination_date="2025-05-31"),
            person("P4", "010119800004", hire_date="2025-06-30"),  # hired on a month-end
        ],
        courses=[course("C1"), course("C2")],  # C3 has no course row: its id is its title
        requirements=[
            requirement("R1", "C1", recurrence_months=3, due_days_after_hire=20),
            requirement("R2", "C2", department="ER", window_days=60),  # once
            requirement("R3", "C3", job_role="RN", recurrence_months=1, due_days_after_hire=0),
        ],
        completions=[
            # P1 renews C1 every two months or so; twice on one day; one failed attempt between.
            completion("X1", completed_at="2025-01-20 15:00:00"),
            completion("X2", completed_at="2025-03-31 15:00:00"),  # 31 March in Chicago
            completion("X3", completed_at="2025-03-31 20:00:00"),  # same day again
            completion("X4", completed_at="2025-04-30 04:00:00"),  # 29 April in Chicago: not 30 April
            completion("X5", completed_at="2025-05-15 15:00:00", status="failed"),
            completion("X6", completed_at="2025-07-01 15:00:00", status="waived"),
            completion("X7", course_id="C3", completed_at="2025-02-28 15:00:00"),
            completion("X8", lc_user_id=b, course_id="C2", completed_at="2025-05-31 15:00:00"),
            completion("X9", lc_user_id=b, course_id="C1", completed_at="2025-06-01 04:00:00"),  # 31 May
            completion("X10", lc_user_id="010119800003", completed_at="2025-04-30 15:00:00"),
            completion("X11", lc_user_id="010119800009", completed_at="2025-04-30 15:00:00"),  # nobody
        ],
    )
    days = month_ends(D(2024, 12, 1), D(2025, 8, 31))
    one_query, definition = both(conn, days)
    assert one_query == definition
    assert len(one_query) > 20
    # Hand-checked spots: P1 on 30 April has the 29 April completion (Chicago date), valid 3 months -> 29 July.
    by = {(r[0], r[1], r[2]): r for r in one_query}
    p1_april = by[(D(2025, 4, 30), "P1", "R1")]
    assert (p1_april[4], p1_april[5], p1_april[12]) == (D(2025, 7, 29), "compliant", D(2025, 4, 29))
    # P3 is gone from 31 May (terminated that day); P4 is there from 30 June (hired that day).
    assert {r[1] for r in one_query if r[0] == D(2025, 5, 31)} == {"P1", "P2"}
    assert {r[1] for r in one_query if r[0] == D(2025, 6, 30)} == {"P1", "P2", "P4"}


def test_a_completion_after_the_last_month_end_and_no_qualifying_completion_at_all():
    conn = staging(
        people=[person("P1", hire_date="2025-01-01"), person("P2", "010119800002", hire_date="2025-01-01")],
        requirements=[requirement(recurrence_months=12)],
        completions=[
            completion("X1", completed_at="2025-03-05 15:00:00"),
            completion(
                "X2", lc_user_id="010119800002", completed_at="2025-02-05 15:00:00", status="in_progress"
            ),
        ],
    )
    days = [D(2025, 1, 31), D(2025, 2, 28)]
    one_query, definition = both(conn, days, replace(POLICY, org_timezone="Europe/Berlin"))
    assert one_query == definition
    assert [(r[1], r[4], r[5]) for r in one_query if r[0] == D(2025, 2, 28)] == [
        ("P1", D(2025, 1, 31), "overdue"),  # hired 1 Jan + 30 days; the March completion is not visible yet
        ("P2", D(2025, 1, 31), "overdue"),  # in progress never counts
    ]


def test_no_month_ends_no_history():
    conn = staging(people=[person()], requirements=[requirement()])
    t = tables(conn)
    assert (
        compliance_history(
            t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"], [], POLICY
        )
        is None
    )
