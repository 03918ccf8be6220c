"""Every compliance rule of domain-rules.md on a handful of hand-built rows; as of 2026-06-30 unless said
otherwise."""

import datetime as dt

from tests.learning.builders import AS_OF, completion, person, requirement, staging, statuses

D = dt.date


def test_a_requirement_applies_when_job_role_and_department_match_with_star_for_all():
    conn = staging(
        people=[
            person("P1", "010119800001", job_role="RN", department="ICU"),
            person("P2", "010119800002", job_role="MD", department="ICU"),
            person("P3", "010119800003", job_role="RN", department="ER"),
        ],
        requirements=[
            requirement("R_ALL", job_role="*", department="*"),
            requirement("R_RN", job_role="RN", department="*"),
            requirement("R_ICU", job_role="*", department="ICU"),
            requirement("R_RN_ICU", job_role="RN", department="ICU"),
        ],
    )
    got = sorted(statuses(conn))
    assert got == [
        ("P1", "R_ALL"),
        ("P1", "R_ICU"),
        ("P1", "R_RN"),
        ("P1", "R_RN_ICU"),  # RN in ICU: all four
        ("P2", "R_ALL"),
        ("P2", "R_ICU"),  # MD in ICU: not the RN ones
        ("P3", "R_ALL"),
        ("P3", "R_RN"),  # RN in ER: not the ICU ones
    ]


def test_without_a_completion_the_first_due_date_is_hire_date_plus_due_days():
    conn = staging(
        people=[person(hire_date="2026-05-01")], requirements=[requirement(due_days_after_hire=45)]
    )
    row = statuses(conn)[("P1", "R1")]
    assert row["due_date"] == D(2026, 6, 15)  # 1 May + 45 days = 15 June (30 days of May left + 15)
    assert row["status"] == "overdue"  # 15 June < 30 June
    assert row["last_completion"] is None and row["expires_on"] is None


def test_recurrence_is_rolling_from_the_latest_qualifying_completion():
    conn = staging(
        people=[person()],
        requirements=[requirement(recurrence_months=12)],
        completions=[
            completion("X_OLD", completed_at="2024-07-01 15:00:00"),
            completion("X_NEW", completed_at="2025-07-10 15:00:00"),  # 10:00 in Chicago, same date
        ],
    )
    row = statuses(conn)[("P1", "R1")]
    assert row["last_completion"] == D(2025, 7, 10)
    assert row["expires_on"] == row["due_date"] == D(2026, 7, 10)  # 10 July 2025 + 12 months
    assert row["status"] == "due_soon"  # 30 June ≤ 10 July ≤ 30 June + 30 days = 30 July


def test_an_expired_recurring_completion_makes_the_requirement_overdue():
    conn = staging(
        people=[person()],
        requirements=[requirement(recurrence_months=12)],
        completions=[completion(completed_at="2025-06-01 15:00:00")],
    )
    row = statuses(conn)[("P1", "R1")]
    assert row["due_date"] == D(2026, 6, 1)  # 1 June 2025 + 12 months, before 30 June
    assert row["status"] == "overdue"


def test_month_arithmetic_clamps_to_the_end_of_a_shorter_month():
    conn = staging(
        people=[person()],
        requirements=[requirement(recurrence_months=1)],
        completions=[completion(completed_at="2026-05-31 15:00:00")],
    )
    assert statuses(conn)[("P1", "R1")]["expires_on"] == D(2026, 6, 30)  # 31 May + 1 month: June has 30 days


def test_a_once_requirement_with_a_completion_has_no_further_due_date():
    conn = staging(
        people=[person()],
        requirements=[requirement(recurrence_months=None)],
        completions=[completion(completed_at="2020-02-01 15:00:00")],
    )
    row = statuses(conn)[("P1", "R1")]
    assert (row["due_date"], row["expires_on"], row["status"]) == (None, None, "compliant")
    assert row["last_completion"] == D(2020, 2, 1)


def test_failed_and_in_progress_completions_never_count():
    conn = staging(
        people=[person(hire_date="2026-01-01")],
        requirements=[requirement(due_days_after_hire=30)],
        completions=[
            completion("X1", status="failed", completed_at="2026-01-10 15:00:00"),
            completion("X2", status="in_progress", completed_at="2026-01-20 15:00:00"),
        ],
    )
    row = statuses(conn)[("P1", "R1")]
    assert row["last_completion"] is None
    assert row["due_date"] == D(2026, 1, 31)  # hire date 1 Jan + 30 days
    assert row["status"] == "overdue"


def test_a_waived_completion_counts():
    conn = staging(
        people=[person(hire_date="2026-01-01")],
        requirements=[requirement()],
        completions=[completion(status="waived", completed_at="2026-01-10 15:00:00")],
    )
    row = statuses(conn)[("P1", "R1")]
    assert (row["last_completion"], row["status"]) == (D(2026, 1, 10), "compliant")


def test_a_completion_of_another_course_does_not_count():
    conn = staging(
        people=[person(hire_date="2026-01-01")],
        requirements=[requirement(course_id="C1")],
        completions=[completion(course_id="C2", completed_at="2026-01-10 15:00:00")],
    )
    assert statuses(conn)[("P1", "R1")]["status"] == "overdue"  # due 31 January, C1 never done


def test_terminated_and_not_yet_hired_people_are_left_out():
    conn = staging(
        people=[
            person("P_TERM_BEFORE", "010119800001", termination_date="2026-06-01"),
            person(
                "P_TERM_ON_DAY", "010119800002", termination_date="2026-06-30"
            ),  # terminated as of the day
            person("P_TERM_AFTER", "010119800003", termination_date="2026-07-01"),  # still active on 30 June
            person("P_HIRED_LATER", "010119800004", hire_date="2026-07-01"),
            person("P_ACTIVE", "010119800005"),
        ],
        requirements=[requirement()],
    )
    assert sorted(p for p, _ in statuses(conn)) == ["P_ACTIVE", "P_TERM_AFTER"]


def test_due_soon_window_boundaries():
    # Hired 1 June 2026; as of 30 June with the default window W = 30 days, so D + W = 30 July.
    conn = staging(
        people=[person(hire_date="2026-06-01")],
        requirements=[
            requirement("R_D_MINUS_1", due_days_after_hire=28),  # 29 June: before D
            requirement("R_D", due_days_after_hire=29),  # 30 June = D
            requirement("R_D_PLUS_W", due_days_after_hire=59),  # 30 July = D + W
            requirement("R_D_PLUS_W_PLUS_1", due_days_after_hire=60),  # 31 July = D + W + 1
        ],
    )
    got = {r: (row["due_date"], row["status"]) for (_, r), row in statuses(conn).items()}
    assert got == {
        "R_D_MINUS_1": (D(2026, 6, 29), "overdue"),
        "R_D": (D(2026, 6, 30), "due_soon"),
        "R_D_PLUS_W": (D(2026, 7, 30), "due_soon"),
        "R_D_PLUS_W_PLUS_1": (D(2026, 7, 31), "not_due_yet"),
    }


def test_with_a_completion_a_due_date_beyond_the_window_is_compliant():
    conn = staging(
        people=[person()],
        courses=None,
        requirements=[
            requirement("R_EDGE", recurrence_months=12),
            requirement("R_BEYOND", "C2", recurrence_months=12),
        ],
        completions=[
            completion("X1", course_id="C1", completed_at="2025-07-30 15:00:00"),  # expires 30 July = D + W
            completion(
                "X2", course_id="C2", completed_at="2025-07-31 15:00:00"
            ),  # expires 31 July = D + W + 1
        ],
    )
    got = statuses(conn)
    assert got[("P1", "R_EDGE")]["status"] == "due_soon"
    assert got[("P1", "R_BEYOND")]["status"] == "compliant"


def test_a_requirements_own_window_replaces_the_default():
    conn = staging(
        people=[person(hire_date="2026-06-01")],
        requirements=[
            requirement("R_IN", due_days_after_hire=39, window_days=10),  # 10 July = D + 10
            requirement("R_OUT", due_days_after_hire=40, window_days=10),  # 11 July = D + 11
        ],
    )
    got = statuses(conn)
    assert got[("P1", "R_IN")]["status"] == "due_soon"
    assert got[("P1", "R_OUT")]["status"] == "not_due_yet"
    assert got[("P1", "R_OUT")]["window_days"] == 10


def test_the_default_window_comes_from_the_policy():
    conn = staging(
        people=[person(hire_date="2026-06-01")], requirements=[requirement(due_days_after_hire=40)]
    )
    # Due 11 July: inside a 30-day window, outside a 7-day one (30 June + 7 = 7 July).
    assert statuses(conn)[("P1", "R1")]["status"] == "due_soon"
    assert statuses(conn, default_window_days=7)[("P1", "R1")]["status"] == "not_due_yet"


def test_completions_join_people_whatever_form_each_lc_user_id_is_in():
    conn = staging(
        people=[
            person("P1", "03151980 1234"),
            person("P2", "04/20/1975 5678"),
            person("P3", "121219909999"),
        ],
        requirements=[requirement()],
        completions=[
            completion("X1", "03/15/1980 1234", completed_at="2025-01-15 15:00:00"),
            completion("X2", "042019755678", completed_at="2025-01-16 15:00:00"),
            completion("X3", "12121990 9999", completed_at="2025-01-17 15:00:00"),
        ],
    )
    got = {p: row["last_completion"] for (p, _), row in statuses(conn).items()}
    assert got == {"P1": D(2025, 1, 15), "P2": D(2025, 1, 16), "P3": D(2025, 1, 17)}


def test_the_completion_date_is_taken_in_the_organisation_time_zone():
    # 2026-03-01T03:00Z is 28 February 21:00 in Chicago (CST, UTC-6). With 4-month recurrence the date
    # matters: 28 Feb + 4 months = 28 June (< 30 June: overdue); the UTC date 1 March would give 1 July (due
    # soon).
    conn = staging(
        people=[person()],
        requirements=[requirement(recurrence_months=4)],
        completions=[completion(completed_at="2026-03-01 03:00:00")],
    )
    row = statuses(conn)[("P1", "R1")]
    assert row["last_completion"] == D(2026, 2, 28)
    assert (row["expires_on"], row["status"]) == (D(2026, 6, 28), "overdue")
    # In UTC itself the same instant is 1 March.
    assert statuses(conn, org_timezone="UTC")[("P1", "R1")]["last_completion"] == D(2026, 3, 1)


def test_daylight_saving_time_is_respected():
    # 2025-07-01T04:30Z is 30 June 23:30 in Chicago (CDT, UTC-5).
    conn = staging(
        people=[person()],
        requirements=[requirement()],
        completions=[completion(completed_at="2025-07-01 04:30:00")],
    )
    assert statuses(conn)[("P1", "R1")]["last_completion"] == D(2025, 6, 30)


def test_an_earlier_as_of_ignores_what_happened_after_it():
    conn = staging(
        people=[person(hire_date="2026-01-01")],
        requirements=[requirement(due_days_after_hire=30)],
        completions=[completion(completed_at="2026-03-10 15:00:00")],
    )
    # As of 28 Feb the 10 March completion has not happened: due 31 January, overdue.
    early = statuses(conn, as_of=D(2026, 2, 28))[("P1", "R1")]
    assert (early["last_completion"], early["status"], early["as_of"]) == (None, "overdue", D(2026, 2, 28))
    assert statuses(conn, as_of=AS_OF)[("P1", "R1")]["status"] == "compliant"
