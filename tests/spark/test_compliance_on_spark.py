"""The Learning Center compliance rules (domain/learning/compliance.py) run unchanged on Spark: hand-computed
cases, the same rows as on DuckDB, including the UTC-to-Chicago date of a completion."""

from __future__ import annotations

import datetime as dt

from domain.learning.compliance import CompliancePolicy, compliance_rollup, compliance_status
from tests.learning.builders import AS_OF, completion, course, person, requirement, staging, tables

D = dt.date
LC = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")
SHOWN = ("person_id", "requirement_id", "due_date", "status", "last_completion", "expires_on")


def _status_rows(t: dict) -> list[dict]:
    expr = compliance_status(*(t[n] for n in LC), CompliancePolicy(as_of=AS_OF))
    return expr.select(*SHOWN).order_by(["person_id", "requirement_id"]).to_pyarrow().to_pylist()


def _world():
    return staging(
        people=[
            person("P1", "010119800001", hire_date="2026-06-01", department="ICU"),
            person("P2", "010119800002", department="ICU"),
            person("P3", "010119800003", department="ER", termination_date="2026-06-01"),  # gone: left out
            person("P4", "010119800004", department="ER"),
        ],
        courses=[course("C_NEW"), course("C_YEARLY"), course("C_MONTHLY")],
        requirements=[
            requirement("R_NEW", "C_NEW", due_days_after_hire=28),  # hire date + 28 days
            requirement("R_YEARLY", "C_YEARLY", recurrence_months=12, department="ICU"),
            requirement("R_MONTHLY", "C_MONTHLY", recurrence_months=1, department="ER"),
        ],
        completions=[
            # 03:00 UTC on 11 July is 22:00 on 10 July in Chicago: the completion date is 10 July.
            completion("X1", "010119800002", "C_YEARLY", completed_at="2025-07-11 03:00:00"),
            completion("X2", "010119800004", "C_MONTHLY", completed_at="2026-05-31 15:00:00"),
        ],
    )


def test_compliance_status_is_the_same_on_spark_and_matches_the_hand_computed_rows(on_spark):
    conn = _world()
    duck = _status_rows(tables(conn))
    spark = _status_rows(on_spark(conn, *LC))
    expected = [
        # P1 hired 1 June, no completions: R_NEW due 1 June + 28 days; R_YEARLY + the default 30 days
        {
            "person_id": "P1",
            "requirement_id": "R_NEW",
            "due_date": D(2026, 6, 29),
            "status": "overdue",
            "last_completion": None,
            "expires_on": None,
        },
        {
            "person_id": "P1",
            "requirement_id": "R_YEARLY",
            "due_date": D(2026, 7, 1),
            "status": "due_soon",
            "last_completion": None,
            "expires_on": None,
        },
        # P2 hired 2020: R_NEW long overdue; R_YEARLY done 10 July 2025 (Chicago), expires 10 July 2026
        {
            "person_id": "P2",
            "requirement_id": "R_NEW",
            "due_date": D(2020, 1, 29),
            "status": "overdue",
            "last_completion": None,
            "expires_on": None,
        },
        {
            "person_id": "P2",
            "requirement_id": "R_YEARLY",
            "due_date": D(2026, 7, 10),
            "status": "due_soon",
            "last_completion": D(2025, 7, 10),
            "expires_on": D(2026, 7, 10),
        },
        # P4 in ER: R_MONTHLY done 31 May, + 1 month clamps to 30 June (= as-of date: due soon, not overdue)
        {
            "person_id": "P4",
            "requirement_id": "R_MONTHLY",
            "due_date": D(2026, 6, 30),
            "status": "due_soon",
            "last_completion": D(2026, 5, 31),
            "expires_on": D(2026, 6, 30),
        },
        {
            "person_id": "P4",
            "requirement_id": "R_NEW",
            "due_date": D(2020, 1, 29),
            "status": "overdue",
            "last_completion": None,
            "expires_on": None,
        },
    ]
    assert spark == duck == expected


def test_the_department_rollup_is_the_same_on_spark(on_spark):
    conn = _world()

    def rollup(t: dict) -> list[dict]:
        status = compliance_status(*(t[n] for n in LC), CompliancePolicy(as_of=AS_OF))
        expr = compliance_rollup(status, "department").select(
            "department", "people", "requirements", "n_overdue", "n_due_soon", "n_assessed", "pct_compliant"
        )
        return expr.order_by("department").to_pyarrow().to_pylist()

    duck, spark = rollup(tables(conn)), rollup(on_spark(conn, *LC))
    assert [
        (r["department"], r["people"], r["requirements"], r["n_overdue"], r["n_due_soon"]) for r in spark
    ] == [
        ("ER", 1, 2, 1, 1),
        ("ICU", 2, 4, 2, 2),
    ]
    assert all(r["pct_compliant"] == 0 for r in spark)  # nothing compliant: 0 %, not NULL
    assert spark == duck


def test_the_month_end_history_is_the_same_on_spark_and_each_month_is_that_days_status(on_spark):
    from domain.learning.compliance import compliance_history

    conn = _world()
    days = [D(2026, 4, 30), D(2026, 5, 31), D(2026, 6, 30)]
    shown = ("month_end", *SHOWN)

    def history(t: dict) -> list[dict]:
        expr = compliance_history(*(t[n] for n in LC), days, CompliancePolicy(as_of=AS_OF))
        return (
            expr.select(*shown)
            .order_by(["month_end", "person_id", "requirement_id"])
            .to_pyarrow()
            .to_pylist()
        )

    duck = history(tables(conn))
    assert history(on_spark(conn, *LC)) == duck
    # R_MONTHLY applies to ER. P3 (no completion; due 28 days after the 2020 hire) is overdue until terminated
    # on 1 June, then gone. P4 completed it 31 May (10:00 Chicago): none at 30 April (overdue); at 31 May it
    # expires 30 June, within the default 30 days (due soon), and at 30 June it is due that day (due soon).
    monthly = [
        (r["month_end"], r["person_id"], r["status"], r["last_completion"])
        for r in duck
        if r["requirement_id"] == "R_MONTHLY"
    ]
    assert monthly == [
        (D(2026, 4, 30), "P3", "overdue", None),
        (D(2026, 4, 30), "P4", "overdue", None),
        (D(2026, 5, 31), "P3", "overdue", None),
        (D(2026, 5, 31), "P4", "due_soon", D(2026, 5, 31)),
        (D(2026, 6, 30), "P4", "due_soon", D(2026, 5, 31)),
    ]
    # the last month-end is the as-of date: its rows are compliance_status's
    last = [{k: r[k] for k in SHOWN} for r in duck if r["month_end"] == AS_OF]
    assert last == _status_rows(tables(conn))
