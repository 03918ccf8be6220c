"""A published snapshot of the hand-built world (``world.py``) for the Person page and the support role's
scoping.

Beyond the world: P1 Ana has an abandoned reset link on the health plan portal, a reset loop on the CE portal,
two compliance rows, a CE credit and a Learning Center completion; member M1 (Ana) has one claim line in the
claim marts, which the help desk must never receive.
"""

from __future__ import annotations

import datetime as dt

from domain.person_links import (
    cross_portal_attacks_sql,
    leaving_sso_only_sql,
    person_link_review_sql,
    person_link_rows_sql,
    person_links_sql,
    plan_hr_mismatch_sql,
)
from domain.settings import Settings
from tests.person_links import world
from tests.support import publish_marts

T = dt.datetime
D = dt.date


def _marts(conn) -> None:
    conn.execute("CREATE TEMP TABLE rows AS " + person_link_rows_sql().sql, person_link_rows_sql().params)
    conn.execute(f"CREATE TABLE marts.person_links AS {person_links_sql('rows')}")
    conn.execute(f"CREATE TABLE marts.person_link_review AS {person_link_review_sql('rows')}")
    for table, (sql, params) in (
        ("leaving_sso_only", leaving_sso_only_sql()),
        ("plan_hr_mismatches", plan_hr_mismatch_sql()),
        ("cross_portal_attacks", cross_portal_attacks_sql()),
    ):
        conn.execute(f"CREATE TABLE marts.{table} AS {sql}", params)
    conn.execute(
        """CREATE TABLE marts.learning_people AS
           SELECT person_id, first_name, last_name, email, department, job_role, manager_person_id, hire_date,
                  termination_date, is_student, '••••••••1234' AS lc_user_id_masked
           FROM staging.lc_people"""
    )
    conn.execute(
        """ALTER TABLE marts.duplicate_account_clusters ADD COLUMN classification VARCHAR DEFAULT 'other';
           ALTER TABLE marts.duplicate_account_clusters ADD COLUMN recommended_survivor_account_id VARCHAR;
           UPDATE marts.duplicate_account_clusters SET recommended_survivor_account_id = cluster_id;"""
    )
    conn.execute(
        """CREATE TABLE marts.reset_outcomes (portal VARCHAR, username VARCHAR, reset_token VARCHAR,
           requested_at TIMESTAMP, completed_at TIMESTAMP, outcome VARCHAR, minutes_to_complete DOUBLE,
           completions BIGINT)"""
    )
    conn.execute(
        "INSERT INTO marts.reset_outcomes VALUES "
        "('health_plans', 'ana.diaz@lakeshore.org', 't1', '2026-10-06 10:00', NULL, 'abandoned', NULL, 0), "
        "('health_plans', 'ana.diaz@lakeshore.org', 't2', '2026-10-06 11:00', '2026-10-06 11:05', "
        "'completed_in_time', 5, 1), "
        "('patient_portal', 'x1', 't3', '2026-10-06 11:00', NULL, 'abandoned', NULL, 0)"
    )
    conn.execute(
        """CREATE TABLE marts.reset_loops (portal VARCHAR, username VARCHAR, first_request_at TIMESTAMP,
           requests BIGINT, last_request_at TIMESTAMP)"""
    )
    conn.execute(
        "INSERT INTO marts.reset_loops VALUES ('ce_portal', 'ana.d@gmail.com', '2026-10-07 08:00', 3, "
        "'2026-10-07 10:00')"
    )
    conn.execute(
        """CREATE TABLE marts.compliance_status (person_id VARCHAR, requirement_id VARCHAR, course_id VARCHAR,
           due_date DATE, status VARCHAR)"""
    )
    conn.execute(
        "INSERT INTO marts.compliance_status VALUES ('P1', 'R1', 'C1', '2026-12-01', 'compliant'), "
        "('P1', 'R2', 'C2', '2026-09-01', 'overdue'), ('P2', 'R1', 'C1', '2026-12-01', 'compliant')"
    )
    conn.execute(
        """CREATE TABLE marts.transcript_items (person_id VARCHAR, source VARCHAR, item_id VARCHAR, title
        VARCHAR,
           completed_on DATE, credit_type VARCHAR, credits DECIMAL(9, 2), hours DECIMAL(9, 2))"""
    )
    conn.execute(
        "INSERT INTO marts.transcript_items VALUES "
        "('P1', 'ce', 'EV1', 'Sepsis update', '2026-05-01', 'ANCC', 1.5, NULL), "
        "('P1', 'learning_center', 'LC1', 'Hand hygiene', '2026-04-01', NULL, NULL, 0.5)"
    )
    conn.execute(
        """CREATE TABLE marts.employer_enrollment AS
           SELECT m.employer_id, 'Lakeshore' AS employer_name, e.member_id, m.subscriber_id, m.relationship,
                  m.first_name, m.last_name, e.coverage_tier, e.plan_id, e.coverage_start, e.coverage_end
           FROM staging.hp_enrollment e JOIN staging.hp_members m USING (member_id)"""
    )
    conn.execute(
        """CREATE TABLE marts.claim_cost_share (claim_id VARCHAR, line_number INTEGER, member_id VARCHAR,
           subscriber_id VARCHAR, allowed_amount DECIMAL(12, 2), member_responsibility DECIMAL(12, 2))"""
    )
    conn.execute("INSERT INTO marts.claim_cost_share VALUES ('CLM1', 1, 'M1', 'M1', 200.00, 40.00)")


def publish(settings: Settings) -> None:
    conn = world.build()
    _marts(conn)
    publish_marts(conn, settings, "snapshot-person.duckdb")
