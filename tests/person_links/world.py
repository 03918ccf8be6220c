"""A hand-built world for person links and the joined-view findings (every expected row is worked out in the
tests).

HR: P1 Ana Diaz (terminated 2026-10-15), P2 Ben Ng, P3 Cy Park (address 5 Elm Ave., 60602-1234), P4 Di Lo,
P5 Gil Ray (terminated 2026-09-10), P6 Hal Wu (leaving 2026-11-30).

CE accounts (SSO accounts carry the person_id):
  CE1 P1 sso; CE2 Ana's gmail, paired with CE1 at 0.999; CE3 Ana's yahoo, paired with CE2 only (0.995), so in
  CE1's cluster {CE1, CE2, CE3} (weakest pair 0.995); CE4 P2 sso; CE5 Ben's gmail, paired with CE4 at 0.93
  (cluster {CE4, CE5}); CE6 Cy's gmail, merged by the CE team into CE7 (P3 sso); CE8 paired with CE4 at 0.95
  but kept separate; CE9 P4 sso; CE10 (P4) and CE12 (P2) share family@gmail.com; CE13 carries P999, not in HR;
  CE14 P5 sso (organisation e-mail only); CE15 P6 sso.
Members: M1 Ana Diaz (HR e-mail agrees; E1, open), M2 Cy Park (address agrees; E1, open), M3 Ben Ng (name and
  birth date only; E2, open), M4 Zed Roe (E1, open, nobody in HR), M5 Yu Kim (E1, ended 2025-12-31), M6 Gil
  Räy (HR e-mail agrees; E1, ended 2026-09-30 = the end of his termination month).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from tests.login_security.helpers import event
from tests.support import create_staging_table

D = dt.date
ORG = "lakeshore.org"


def _person(pid, first, last, birth: str, email, term=None, street=None, postal=None, dept="ICU"):
    return {
        "person_id": pid,
        "lc_user_id": f"{birth} 1234",
        "first_name": first,
        "last_name": last,
        "email": email,
        "department": dept,
        "job_role": "Registered Nurse",
        "hire_date": D(2015, 1, 5),
        "termination_date": term,
        "is_student": False,
        "street": street,
        "postal_code": postal,
    }


PEOPLE = [
    _person("P1", "Ana", "Diaz", "03151990", f"ana.diaz@{ORG}", D(2026, 10, 15)),
    _person("P2", "Ben", "Ng", "07011985", f"ben.ng@{ORG}"),
    _person("P3", "Cy", "Park", "01021970", f"cy.park@{ORG}", street="5 Elm Ave.", postal="60602-1234"),
    _person("P4", "Di", "Lo", "02021992", f"di.lo@{ORG}"),
    _person("P5", "Gil", "Ray", "05051980", f"gil.ray@{ORG}", D(2026, 9, 10), dept="Pharmacy"),
    _person("P6", "Hal", "Wu", "06061975", f"hal.wu@{ORG}", D(2026, 11, 30), dept="Surgery"),
]


def _account(aid, email, method="password", pid=None):
    return {
        "account_id": aid,
        "email": email,
        "first_name": "x",
        "last_name": "y",
        "degree": "RN",
        "login_method": method,
        "person_id": pid,
        "created_at": dt.datetime(2024, 1, 1),
    }


ACCOUNTS = [
    _account("CE1", f"ana.diaz@{ORG}", "sso", "P1"),
    _account("CE2", "ana.d@gmail.com"),
    _account("CE3", "ana1990@yahoo.com"),
    _account("CE4", f"ben.ng@{ORG}", "sso", "P2"),
    _account("CE5", "benng@gmail.com"),
    _account("CE6", "cy@gmail.com"),
    _account("CE7", f"cy.park@{ORG}", "sso", "P3"),
    _account("CE8", "b.ng@work.com"),
    _account("CE9", f"di.lo@{ORG}", "sso", "P4"),
    _account("CE10", "family@gmail.com", "password", "P4"),
    _account("CE12", "family@gmail.com", "password", "P2"),
    _account("CE13", f"ghost@{ORG}", "sso", "P999"),
    _account("CE14", f"gil.ray@{ORG}", "sso", "P5"),
    _account("CE15", f"hal.wu@{ORG}", "sso", "P6"),
]
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "work.com")

# (l, r, probability, decision)
PAIRS = [
    ("CE1", "CE2", 0.999, None),
    ("CE2", "CE3", 0.995, None),
    ("CE4", "CE5", 0.93, None),
    ("CE4", "CE8", 0.95, "kept_separate"),
]
CLUSTERS = [("CE1", "CE1"), ("CE1", "CE2"), ("CE1", "CE3"), ("CE4", "CE4"), ("CE4", "CE5")]
SURVIVORS = [("CE6", "CE7")]


def _member(mid, first, last, birth, employer, email=None, street=None, postal=None, rel="self"):
    return {
        "member_id": mid,
        "subscriber_id": mid,
        "relationship": rel,
        "first_name": first,
        "last_name": last,
        "birth_date": birth,
        "employer_id": employer,
        "email": email,
        "street": street,
        "postal_code": postal,
    }


MEMBERS = [
    _member("M1", "Ana", "Diaz", D(1990, 3, 15), "E1", email=f"Ana.Diaz@{ORG}"),
    _member("M2", " cy", "PARK", D(1970, 1, 2), "E1", street="5 elm ave", postal="60602"),
    _member("M3", "Ben", "Ng", D(1985, 7, 1), "E2"),
    _member("M4", "Zed", "Roe", D(1980, 1, 1), "E1"),
    _member("M5", "Yu", "Kim", D(1981, 2, 2), "E1"),
    _member("M6", "Gil", "Räy", D(1980, 5, 5), "E1", email=f"gil.ray@{ORG}"),  # accents do not matter
]


def _span(mid, start, end=None, plan="PPO500", tier="EMP"):
    return {
        "member_id": mid,
        "plan_id": plan,
        "coverage_tier": tier,
        "coverage_start": start,
        "coverage_end": end,
    }


ENROLLMENT = [
    _span("M1", D(2023, 1, 1), D(2023, 12, 31), plan="HDHP3000"),
    _span("M1", D(2024, 1, 1)),
    _span("M2", D(2022, 1, 1)),
    _span("M3", D(2022, 1, 1)),
    _span("M4", D(2021, 1, 1)),
    _span("M5", D(2021, 1, 1), D(2025, 12, 31)),
    _span("M6", D(2020, 1, 1), D(2026, 9, 30)),
]

ATTACK_IP = "198.51.100.7"
STUFFING_IP = "185.1.1.1"
EVENTS = [
    # Ana is locked out of the Learning Center at 08:00 (marts.login_lockouts below) and gets into the health
    # plan portal 45 minutes later; her CE sign-in at 09:01 is 61 minutes after, her LC one is the same
    # portal.
    event("2026-10-01T08:40:00Z", "login_success", "ana.diaz", portal="learning_center"),
    event("2026-10-01T08:45:00Z", "login_success", f"ana.diaz@{ORG}", portal="health_plans", ip="10.0.0.9"),
    event("2026-10-01T09:01:00Z", "login_success", "ana.d@gmail.com", portal="ce_portal"),
    # the stuffing burst of 03:00-03:05 (marts.credential_stuffing below) tries Cy's patient-portal e-mail;
    # Cy signs in to the Learning Center at 03:30.
    event("2026-10-02T03:01:00Z", "login_failure", "zz", portal="patient_portal", ip=STUFFING_IP),
    event("2026-10-02T03:02:00Z", "login_failure", "cy@gmail.com", portal="patient_portal", ip=STUFFING_IP),
    event("2026-10-02T03:30:00Z", "login_success", "cy.park", portal="learning_center", ip="10.0.0.3"),
    # one IP fails on the patient portal and, 30 minutes later, on the health plan portal (as Ana): one burst
    # over two portals; its next failure is 90 minutes later (a new burst, one portal).
    event("2026-10-03T10:00:00Z", "login_failure", "x1", portal="patient_portal", ip=ATTACK_IP),
    event("2026-10-03T10:30:00Z", "login_failure", f"ana.diaz@{ORG}", portal="health_plans", ip=ATTACK_IP),
    event("2026-10-03T12:00:00Z", "login_failure", "x1", portal="patient_portal", ip=ATTACK_IP),
    # another IP fails on two portals 90 minutes apart: two bursts of one portal each.
    event("2026-10-04T09:00:00Z", "login_failure", "q", portal="ce_portal", ip="203.0.113.5"),
    event("2026-10-04T10:30:00Z", "login_failure", "q", portal="learning_center", ip="203.0.113.5"),
    event("2026-10-05T09:00:00Z", "login_success", "benng@gmail.com", portal="ce_portal"),
    event("2026-10-05T09:00:00Z", "login_success", "family@gmail.com", portal="patient_portal"),
    event("2026-10-05T09:00:00Z", "login_failure", "admin", portal="patient_portal"),
]
LOCKOUTS = [("learning_center", "ana.diaz", dt.datetime(2026, 10, 1, 8, 0), 5)]
STUFFING = [
    (STUFFING_IP, "patient_portal", dt.datetime(2026, 10, 2, 3, 0), dt.datetime(2026, 10, 2, 3, 5), 20, 20)
]


def build() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the world's staging tables and the marts the rules read."""
    conn = duckdb.connect()
    create_staging_table(conn, "lc_people", PEOPLE)
    create_staging_table(conn, "ce_accounts", ACCOUNTS)
    create_staging_table(conn, "hp_members", MEMBERS)
    create_staging_table(conn, "hp_enrollment", ENROLLMENT)
    create_staging_table(conn, "auth_events", EVENTS)
    conn.execute("CREATE SCHEMA marts")
    conn.execute(
        "CREATE TABLE marts.duplicate_account_pairs (account_id_l VARCHAR, account_id_r VARCHAR, "
        "match_probability DOUBLE, evidence VARCHAR, decision VARCHAR)"
    )
    conn.executemany(
        "INSERT INTO marts.duplicate_account_pairs VALUES (?, ?, ?, 'names agree', ?)",
        [list(p) for p in PAIRS],
    )
    conn.execute("CREATE TABLE marts.duplicate_account_clusters (cluster_id VARCHAR, account_id VARCHAR)")
    conn.executemany(
        "INSERT INTO marts.duplicate_account_clusters VALUES (?, ?)", [list(c) for c in CLUSTERS]
    )
    conn.execute("CREATE TABLE marts.ce_account_survivors (account_id VARCHAR, survivor_account_id VARCHAR)")
    conn.executemany("INSERT INTO marts.ce_account_survivors VALUES (?, ?)", [list(s) for s in SURVIVORS])
    conn.execute(
        "CREATE TABLE marts.ce_accounts AS SELECT account_id, email, login_method, CASE WHEN "
        f"split_part(email, '@', 2) IN {PERSONAL_DOMAINS} THEN 'personal' ELSE 'organisation' END "
        "AS email_domain_kind FROM staging.ce_accounts"
    )
    conn.execute(
        "CREATE TABLE marts.login_lockouts (portal VARCHAR, username VARCHAR, locked_at TIMESTAMP, failures "
        "BIGINT)"
    )
    conn.executemany("INSERT INTO marts.login_lockouts VALUES (?, ?, ?, ?)", [list(r) for r in LOCKOUTS])
    conn.execute(
        "CREATE TABLE marts.credential_stuffing (ip VARCHAR, portal VARCHAR, window_start TIMESTAMP, "
        "window_end TIMESTAMP, distinct_usernames BIGINT, failures BIGINT)"
    )
    conn.executemany(
        "INSERT INTO marts.credential_stuffing VALUES (?, ?, ?, ?, ?, ?)", [list(r) for r in STUFFING]
    )
    return conn
