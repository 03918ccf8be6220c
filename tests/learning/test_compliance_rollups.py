"""Rollups: counts per status and % compliant with not_due_yet left out, by department, manager and job
role."""

from decimal import Decimal

from domain.learning.compliance import CompliancePolicy, compliance_rollup, compliance_status
from tests.learning.builders import AS_OF, completion, person, requirement, staging, tables


def _rollup(conn, by):
    t = tables(conn)
    status = compliance_status(
        t["lc_people"],
        t["lc_courses"],
        t["lc_requirements"],
        t["lc_completions"],
        CompliancePolicy(as_of=AS_OF),
    )
    return {r[by]: r for r in compliance_rollup(status, by).to_pyarrow().to_pylist()}


def _conn():
    # One requirement (due 30 days after hire, once). As of 30 June 2026:
    #   P1 ICU/RN  manager M: completed            -> compliant
    #   P2 ICU/RN  manager M: hired 2020, none     -> overdue
    #   P3 ICU/MD  manager M: hired 2026-06-20     -> due 20 July: due_soon
    #   P4 ER/RN   manager N: hired 2026-06-25    -> due 25 July: due_soon
    #   M  ICU/MGR no manager: completed           -> compliant
    return staging(
        people=[
            person("P1", "010119800001", department="ICU", job_role="RN", manager_person_id="M"),
            person("P2", "010119800002", department="ICU", job_role="RN", manager_person_id="M"),
            person(
                "P3",
                "010119800003",
                department="ICU",
                job_role="MD",
                manager_person_id="M",
                hire_date="2026-06-20",
            ),
            person(
                "P4",
                "010119800004",
                department="ER",
                job_role="RN",
                manager_person_id="N",
                hire_date="2026-06-25",
            ),
            person("M", "010119800005", department="ICU", job_role="MGR"),
        ],
        requirements=[requirement("R1", due_days_after_hire=30)],
        completions=[
            completion("X1", "010119800001", completed_at="2026-01-10 15:00:00"),
            completion("X5", "010119800005", completed_at="2026-01-10 15:00:00"),
        ],
    )


def test_by_department_counts_each_status_and_the_share_compliant():
    got = _rollup(_conn(), "department")
    icu = got["ICU"]
    # ICU: P1 compliant, M compliant, P2 overdue, P3 due soon -> 2 of 4 assessed = 50.0 %
    assert (icu["n_compliant"], icu["n_overdue"], icu["n_due_soon"], icu["n_not_due_yet"]) == (2, 1, 1, 0)
    assert (icu["n_assessed"], icu["pct_compliant"], icu["people"]) == (4, Decimal("50.0"), 4)
    er = got["ER"]
    assert (er["n_due_soon"], er["pct_compliant"]) == (1, Decimal("0.0"))


def test_not_due_yet_is_left_out_of_the_percentage():
    conn = staging(
        people=[
            person("P1", "010119800001"),  # completed: compliant
            person("P2", "010119800002", hire_date="2026-06-25"),  # due 25 Aug (+61): not_due_yet
        ],
        requirements=[requirement(due_days_after_hire=61)],
        completions=[completion("X1", "010119800001")],
    )
    icu = _rollup(conn, "department")["ICU"]
    # 1 compliant of 1 assessed = 100.0 %; the not-due-yet row is counted but not assessed.
    assert (icu["requirements"], icu["n_not_due_yet"], icu["n_assessed"], icu["pct_compliant"]) == (
        2,
        1,
        1,
        Decimal("100.0"),
    )


def test_by_manager_counts_direct_reports_only():
    got = _rollup(_conn(), "manager_person_id")
    assert set(got) == {"M", "N"}  # M has no manager: no row for a NULL manager
    m = got["M"]
    # M's reports P1 (compliant), P2 (overdue), P3 (due soon): 1 of 3 = 33.3 %
    assert (m["people"], m["n_compliant"], m["pct_compliant"]) == (3, 1, Decimal("33.3"))


def test_by_job_role():
    got = _rollup(_conn(), "job_role")
    # RN: P1 compliant, P2 overdue, P4 due soon -> 1 of 3 = 33.3 %; MGR: 1 of 1; MD: 0 of 1
    assert {k: v["pct_compliant"] for k, v in got.items()} == {
        "RN": Decimal("33.3"),
        "MGR": Decimal("100.0"),
        "MD": Decimal("0.0"),
    }


def test_a_group_with_only_not_due_yet_rows_has_no_percentage():
    conn = staging(
        people=[person(hire_date="2026-06-25")], requirements=[requirement(due_days_after_hire=90)]
    )
    assert _rollup(conn, "department")["ICU"]["pct_compliant"] is None
