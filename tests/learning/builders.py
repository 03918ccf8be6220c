"""Row builders for Learning Center staging tables: every test states only what it is about."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis

from domain.learning.compliance import CompliancePolicy, compliance_status
from tests.support import create_staging_table

AS_OF = dt.date(2026, 6, 30)
UID = "031519801234"  # 15 March 1980, SSN ending 1234


def person(person_id="P1", lc_user_id=UID, **kw) -> dict:
    return {
        "person_id": person_id,
        "lc_user_id": lc_user_id,
        "first_name": "Ann",
        "last_name": "Lee",
        "email": f"{person_id.lower()}@example.org",
        "department": "ICU",
        "job_role": "RN",
        "manager_person_id": None,
        "hire_date": "2020-01-01",
        "termination_date": None,
        "is_student": False,
    } | kw


def course(course_id="C1", **kw) -> dict:
    return {
        "course_id": course_id,
        "title": f"Course {course_id}",
        "category": "safety",
        "contact_hours": "1.50",
        "active": True,
    } | kw


def requirement(requirement_id="R1", course_id="C1", **kw) -> dict:
    return {
        "requirement_id": requirement_id,
        "course_id": course_id,
        "job_role": "*",
        "department": "*",
        "recurrence_months": None,
        "due_days_after_hire": 30,
        "window_days": None,
    } | kw


def completion(
    completion_id="X1", lc_user_id=UID, course_id="C1", completed_at="2025-01-15 15:00:00", **kw
) -> dict:
    return {
        "completion_id": completion_id,
        "lc_user_id": lc_user_id,
        "course_id": course_id,
        "completed_at": completed_at,
        "status": "completed",
        "score": None,
        "hours": None,
    } | kw


def staging(people=(), courses=None, requirements=(), completions=(), conn=None):
    """An in-memory warehouse with the four Learning Center staging tables (course C1 by default)."""
    conn = conn or duckdb.connect()
    create_staging_table(conn, "lc_people", list(people))
    create_staging_table(conn, "lc_courses", list(courses if courses is not None else [course()]))
    create_staging_table(conn, "lc_requirements", list(requirements))
    create_staging_table(conn, "lc_completions", list(completions))
    return conn


def tables(conn) -> dict:
    con = ibis.duckdb.from_connection(conn)
    names = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")
    return {n: con.table(n, database="staging") for n in names}


def statuses(conn, as_of=AS_OF, **policy) -> dict[tuple[str, str], dict]:
    """compliance_status rows keyed by (person_id, requirement_id)."""
    t = tables(conn)
    expr = compliance_status(
        t["lc_people"],
        t["lc_courses"],
        t["lc_requirements"],
        t["lc_completions"],
        CompliancePolicy(as_of=as_of, **policy),
    )
    return {(r["person_id"], r["requirement_id"]): r for r in expr.to_pyarrow().to_pylist()}
