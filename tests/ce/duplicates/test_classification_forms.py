"""The duplicate classification rules have one home (``domain.ce.duplicates.classification``) in two forms:
SQL for the marts, Python for the queue's clusters that are gone. Both forms give the hand-worked answers."""

from __future__ import annotations

import datetime as dt

import duckdb

from domain.ce.duplicates.classification import (
    OTHER,
    PERSONAL_PLUS_ORGANISATION,
    THIRD_ACCOUNT,
    Candidate,
    classified_clusters,
    classify,
    define_email_domain,
    is_organisation_account,
    recommended_survivor,
)

ORG_DOMAINS = {"hospital.org"}
D = dt.datetime
#: component, account, login, created_at, e-mail domain
ACCOUNTS = [
    ("c1", "A1", "password", D(2020, 1, 1), "gmail.com"),
    ("c1", "A2", "sso", D(2021, 1, 1), "example.org"),  # SSO beats the older personal account
    ("c2", "B1", "password", D(2022, 1, 1), "hospital.org"),  # an organisation domain beats the older one
    ("c2", "B2", "password", D(2019, 1, 1), "gmail.com"),
    ("c3", "C1", "password", D(2020, 5, 1), "gmail.com"),
    ("c3", "C2", "password", D(2020, 3, 1), "yahoo.com"),
    ("c3", "C3", "sso", D(2023, 1, 1), "hospital.org"),
    ("c4", "D2", "password", D(2020, 1, 1), "gmail.com"),  # same age: the smaller id
    ("c4", "D1", "password", D(2020, 1, 1), "gmail.com"),
    ("c5", "E1", "sso", D(2021, 1, 1), "hospital.org"),  # two organisation accounts: other, the older
    ("c5", "E2", "sso", D(2020, 1, 1), "hospital.org"),
    ("c6", "F1", "password", None, "gmail.com"),  # no creation time ranks after a known one
    ("c6", "F2", "password", D(2024, 1, 1), None),
    ("c7", "G1", "password", D(2020, 1, 1), "gmail.com"),  # alone: not a cluster
]
EXPECTED = {
    "A1": (PERSONAL_PLUS_ORGANISATION, "A2"),
    "B1": (PERSONAL_PLUS_ORGANISATION, "B1"),
    "C1": (THIRD_ACCOUNT, "C3"),
    "D1": (OTHER, "D1"),
    "E1": (OTHER, "E2"),
    "F1": (OTHER, "F2"),
}


def _sql_form() -> dict[str, tuple[str, str]]:
    conn = duckdb.connect()
    conn.execute("CREATE TABLE dup_members (component_id VARCHAR, account_id VARCHAR)")
    conn.execute(
        "CREATE TABLE dup_accounts (account_id VARCHAR, login_method VARCHAR, created_at TIMESTAMP, "
        "email_domain VARCHAR)"
    )
    conn.execute("CREATE TABLE dup_org_domains (email_domain VARCHAR)")
    conn.executemany("INSERT INTO dup_members VALUES (?, ?)", [[c, a] for c, a, *_ in ACCOUNTS])
    conn.executemany("INSERT INTO dup_accounts VALUES (?, ?, ?, ?)", [list(r[1:]) for r in ACCOUNTS])
    conn.executemany("INSERT INTO dup_org_domains VALUES (?)", [[d] for d in ORG_DOMAINS])
    rows = (
        classified_clusters(conn)
        .select("cluster_id", "classification", "recommended_survivor_account_id")
        .distinct()
        .order("cluster_id")
        .fetchall()
    )
    return {cluster: (kind, survivor) for cluster, kind, survivor in rows}


def _python_form() -> dict[str, tuple[str, str]]:
    components: dict[str, list[Candidate]] = {}
    for component, account, login, created, domain in ACCOUNTS:
        organisation = is_organisation_account(login, domain in ORG_DOMAINS)
        components.setdefault(component, []).append(Candidate(account, login, organisation, created))
    return {
        min(c.account_id for c in found): (
            classify([c.is_organisation for c in found]),
            recommended_survivor(found),
        )
        for found in components.values()
        if len(found) >= 2
    }


def test_sql_and_python_forms_classify_and_pick_the_same_survivor():
    assert _sql_form() == EXPECTED
    assert _python_form() == EXPECTED


def test_no_accounts_recommend_no_survivor():
    assert recommended_survivor([]) is None


def test_the_email_domain_is_lowercased_trimmed_and_null_without_one():
    emails = ["  Jane.Doe@Hospital.ORG ", "x@gmail.com", "no-at-sign", "trailing@", "a@b@c.com", "", None]
    conn = duckdb.connect()
    define_email_domain(conn)
    got = conn.execute("SELECT ce_email_domain(e) FROM unnest(?::VARCHAR[]) AS t(e)", [emails]).fetchall()
    assert [r[0] for r in got] == ["hospital.org", "gmail.com", None, None, "b", None, None]
