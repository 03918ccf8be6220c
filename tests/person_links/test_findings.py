"""The joined-view findings on the hand-built world of ``world.py`` (links from the real rule), rows worked
out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.person_links import (
    ATTACK_COLUMNS,
    ENROLLED_WITHOUT_ACTIVE_HR,
    IP_SEVERAL_PORTALS,
    SUCCESS_AFTER_LOCKOUT,
    SUCCESS_AFTER_STUFFING,
    TERMINATED_STILL_ENROLLED,
    PersonLinkPolicy,
    cross_portal_attacks_sql,
    leaving_sso_only_sql,
    person_link_rows_sql,
    person_links_sql,
    plan_hr_mismatch_sql,
)
from tests.person_links import world

T = dt.datetime
D = dt.date


@pytest.fixture(scope="module")
def conn():
    c = world.build()
    c.execute("CREATE TEMP TABLE rows AS " + person_link_rows_sql().sql, person_link_rows_sql().params)
    c.execute(f"CREATE TABLE marts.person_links AS {person_links_sql('rows')}")
    return c


def test_leaving_employees_whose_ce_accounts_are_sso_only_without_a_personal_email(conn):
    rows = conn.execute(*leaving_sso_only_sql()).fetchall()
    # P1 is terminated too but has personal accounts (CE2 gmail, CE3 yahoo); P3 is SSO-only but not leaving.
    assert rows == [
        ("P5", "Gil", "Ray", "Pharmacy", D(2026, 9, 10), "CE14", "gil.ray@lakeshore.org"),
        ("P6", "Hal", "Wu", "Surgery", D(2026, 11, 30), "CE15", "hal.wu@lakeshore.org"),
    ]


def test_terminated_but_enrolled_and_enrolled_without_an_hr_record_in_the_employers_plan(conn):
    rows = conn.execute(*plan_hr_mismatch_sql()).fetchall()
    # The employer is E1: three of its subscribers (M1, M2, M6) link to HR, E2 none.
    # M1 (P1, terminated 2026-10-15) is still open; M6 (P5, terminated 2026-09-10) ended 2026-09-30, the end
    # of that month: fine. M4 is open with no HR record; M5's coverage ended; M3 is another employer's.
    assert [(r[0], r[1], r[2], r[6], r[8], r[9], r[10]) for r in rows] == [
        (ENROLLED_WITHOUT_ACTIVE_HR, None, "M4", "PPO500", D(2021, 1, 1), None, None),
        (TERMINATED_STILL_ENROLLED, "P1", "M1", "PPO500", D(2024, 1, 1), None, D(2026, 10, 15)),
    ]


def test_the_employer_can_be_named_and_a_review_link_is_no_hr_record(conn):
    rows = conn.execute(*plan_hr_mismatch_sql(PersonLinkPolicy(employer_id="E2"))).fetchall()
    # M3 Ben Ng matches P2 by name and birth date only (a review link): enrolled without an HR record.
    assert [(r[0], r[2], r[3]) for r in rows] == [(ENROLLED_WITHOUT_ACTIVE_HR, "M3", "E2")]


def test_coverage_past_the_termination_month_is_a_finding_coverage_ending_with_it_is_not(conn):
    conn.execute("UPDATE staging.hp_enrollment SET coverage_end = DATE '2026-10-01' WHERE member_id = 'M6'")
    try:
        rows = conn.execute(*plan_hr_mismatch_sql()).fetchall()
    finally:
        conn.execute(
            "UPDATE staging.hp_enrollment SET coverage_end = DATE '2026-09-30' WHERE member_id = 'M6'"
        )
    assert (TERMINATED_STILL_ENROLLED, "P5", "M6") in {(r[0], r[1], r[2]) for r in rows}


def test_attacks_across_portals(conn):
    rows = [
        dict(zip(ATTACK_COLUMNS, r, strict=True))
        for r in conn.execute(*cross_portal_attacks_sql()).fetchall()
    ]
    assert [
        (r["kind"], r["person_keys"], r["ip"], r["portals"], r["first_at"], r["last_at"], r["failures"])
        for r in rows
    ] == [
        # Ana locked out of the LC at 08:00, into the health plan portal at 08:45 (not CE at 09:01: 61 min).
        (
            SUCCESS_AFTER_LOCKOUT,
            ["P1"],
            "10.0.0.9",
            "learning_center, health_plans",
            T(2026, 10, 1, 8, 0),
            T(2026, 10, 1, 8, 45),
            5,
        ),
        # the stuffing burst 03:00-03:05 on the patient portal tried Cy's e-mail; Cy into the LC at 03:30.
        (
            SUCCESS_AFTER_STUFFING,
            ["P3"],
            "10.0.0.3",
            "patient_portal, learning_center",
            T(2026, 10, 2, 3, 0),
            T(2026, 10, 2, 3, 30),
            20,
        ),
        # one IP: patient portal 10:00, health plans 10:30 (as Ana); its 12:00 failure is another burst.
        (
            IP_SEVERAL_PORTALS,
            ["P1"],
            world.ATTACK_IP,
            "health_plans, patient_portal",
            T(2026, 10, 3, 10, 0),
            T(2026, 10, 3, 10, 30),
            2,
        ),
    ]
    lockout = rows[0]
    assert (lockout["trigger_portal"], lockout["trigger_username"], lockout["success_portal"]) == (
        "learning_center",
        "ana.diaz",
        "health_plans",
    )


def test_a_longer_attack_window_joins_what_a_shorter_one_keeps_apart(conn):
    rows = conn.execute(*cross_portal_attacks_sql(PersonLinkPolicy(attack_minutes=95))).fetchall()
    kinds = [(r[0], r[2], r[3]) for r in rows]
    # 203.0.113.5's two failures 90 minutes apart are now one burst over two portals; Ana's CE sign-in 61
    # minutes after her lockout now counts too; 198.51.100.7's three failures make one burst.
    assert (IP_SEVERAL_PORTALS, "203.0.113.5", "ce_portal, learning_center") in kinds
    assert (SUCCESS_AFTER_LOCKOUT, "10.0.0.1", "learning_center, ce_portal") in kinds
    assert [r[6] for r in rows if r[0] == IP_SEVERAL_PORTALS and r[2] == world.ATTACK_IP] == [3]
