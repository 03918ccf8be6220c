"""One person across the portals, for the help desk (``Role.SUPPORT``) and administrators, and the joined-view
lists.

Every read takes a :class:`Principal` and refuses other roles where the data is queried. What the Person page
shows is limited here, not on the page: the help desk sees a person's accounts, sign-in problems, compliance,
CE transcript, duplicate CE accounts and plan *coverage* (spans, plan, tier); no query in this module reads a
claim line, an accumulator or the lc_user_id (administrators get the masked id only).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.marts import SCHEMA as MARTS
from domain.settings import Settings
from domain.sql_files import load
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import in_marts

VIEWERS = (Role.ADMIN, Role.SUPPORT)
#: Sign-in problems shown at most (newest first).
PROBLEM_LIMIT = 200
PORTAL_PREFIX = "portal_user:"


class NoPersonLinks(LookupError):
    """The published snapshot has no person links yet (published before they existed)."""


@dataclass(frozen=True)
class PersonView:
    person: dict
    links: pd.DataFrame  # source, source_id, method, probability, evidence
    review: pd.DataFrame  # the same + reason: links waiting for review
    sign_in_problems: pd.DataFrame  # portal, username, problem, at, detail
    compliance: pd.DataFrame
    ce_transcript: pd.DataFrame
    duplicate_accounts: pd.DataFrame
    plan_coverage: pd.DataFrame
    findings: pd.DataFrame  # finding, detail


def _read(conn, name: str, params: dict):
    """``reports/<name>.sql`` as a relation; the files name marts unqualified, so it runs under the marts'
    search path."""
    return conn.sql(load(__package__, name), params=params)


def _frame(conn, name: str, params: dict) -> pd.DataFrame:
    with in_marts(conn):
        return _read(conn, name, params).to_arrow_table().to_pandas()


def _union(conn, reads: list[tuple[str, dict]], order: str, limit: int | None = None) -> pd.DataFrame:
    """The reads one after the other (UNION ALL by position), ordered; composed as relations, so no
    statement's text is edited. Each read runs on its own first: two relations may not share a parameter
    name."""
    with in_marts(conn):
        parts = [conn.from_arrow(_read(conn, *read).to_arrow_table()) for read in reads]
        rows = parts[0]
        for part in parts[1:]:
            rows = rows.union(part)
        rows = rows.order(order)
        if limit is not None:
            rows = rows.limit(limit)
        return rows.to_arrow_table().to_pandas()


def _tables(conn) -> set[str]:
    rows = conn.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [MARTS]).fetchall()
    return {r[0] for r in rows}


def _require_links(conn) -> set[str]:
    tables = _tables(conn)
    if "person_links" not in tables:
        raise NoPersonLinks("This snapshot has no person links yet; run `portalytics materialize`.")
    return tables


def find_people(principal: Principal, conn, text: str, limit: int = 25) -> pd.DataFrame:
    """People whose person_id, name or e-mail matches ``text``, or who hold a linked id or user name equal to
    it."""
    principal.require(*VIEWERS)
    _require_links(conn)
    needle = (text or "").strip().lower()
    if not needle:
        return pd.DataFrame(
            columns=["person_id", "first_name", "last_name", "department", "termination_date"]
        )
    like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return _frame(conn, "person_search", {"needle": needle, "like": like, "limit": int(limit)})


def person_view(principal: Principal, conn, person_key: str, org_timezone: str | None = None) -> PersonView:
    """Everything the Person page shows about one person (NotPermitted for other roles or an unknown
    person); days of instants are ``org_timezone``'s (default: the configured ``Settings.org_timezone``)."""
    principal.require(*VIEWERS)
    tables = _require_links(conn)
    who = {"person": person_key}
    people = _frame(conn, "person_for_admin" if principal.role is Role.ADMIN else "person", who)
    if people.empty:
        raise NotPermitted("no such person")
    links = _frame(conn, "person_links", who)
    review = _frame(conn, "person_link_review", who) if "person_link_review" in tables else pd.DataFrame()
    ids = {s: links.source_id[links.source == s].tolist() for s in ("ce_account", "plan_member")}
    users = [
        (s[len(PORTAL_PREFIX) :], u)
        for s, u in zip(links.source, links.source_id, strict=True)
        if s.startswith(PORTAL_PREFIX)
    ]
    return PersonView(
        person=people.iloc[0].to_dict(),
        links=links,
        review=review,
        sign_in_problems=_sign_in_problems(conn, tables, users),
        compliance=_optional(conn, tables, "compliance_status", "person_compliance", who),
        ce_transcript=_optional(conn, tables, "transcript_items", "person_ce_transcript", who),
        duplicate_accounts=_duplicates(conn, tables, ids["ce_account"]),
        plan_coverage=_coverage(conn, tables, ids["plan_member"]),
        findings=_findings(conn, tables, person_key, org_timezone or Settings().org_timezone),
    )


def _optional(conn, tables: set[str], table: str, name: str, params: dict) -> pd.DataFrame:
    """``name``.sql, or an empty frame when the snapshot has no ``table`` (published before it existed)."""
    if table not in tables:
        return pd.DataFrame()
    return _frame(conn, name, params)


#: Sign-in problems by the mart they come from.
_PROBLEMS = (
    ("login_lockouts", "person_lockouts"),
    ("reset_outcomes", "person_reset_problems"),
    ("reset_loops", "person_reset_loops"),
)
#: Findings about a person by the mart they come from.
_FINDINGS = (
    ("leaving_sso_only", "person_leaving_sso_only"),
    ("plan_hr_mismatches", "person_plan_hr_mismatches"),
    ("cross_portal_attacks", "person_cross_portal_attacks"),
)


def _sign_in_problems(conn, tables: set[str], users: list[tuple[str, str]]) -> pd.DataFrame:
    """Lockouts, reset links not completed in time, and reset loops of the person's portal user names."""
    keys = {"users": [{"portal": portal, "username": username} for portal, username in users]}
    reads = [(name, keys) for table, name in _PROBLEMS if table in tables]
    if not users or not reads:
        return pd.DataFrame(columns=["portal", "username", "problem", "at", "detail"])
    return _union(conn, reads, '"at" DESC, portal, username', PROBLEM_LIMIT)


def _duplicates(conn, tables: set[str], accounts: list[str]) -> pd.DataFrame:
    """Every cluster one of the person's CE accounts is in, with each member account's e-mail and sign-in."""
    if not accounts or "duplicate_account_clusters" not in tables:
        return pd.DataFrame(columns=["cluster_id", "account_id"])
    name = "person_duplicates" if "ce_accounts" in tables else "person_duplicates_without_accounts"
    return _frame(conn, name, {"accounts": accounts})


def _coverage(conn, tables: set[str], members: list[str]) -> pd.DataFrame:
    """Coverage spans only: who, which employer, plan, tier and dates (never a claim or an amount)."""
    columns = ["member_id", "employer_name", "relationship", "plan_id", "coverage_tier", "coverage_start"]
    if not members or "employer_enrollment" not in tables:
        return pd.DataFrame(columns=[*columns, "coverage_end"])
    return _frame(conn, "person_coverage", {"members": members})


#: Findings whose day comes from an instant: they take the org zone too.
_ZONED = {"person_cross_portal_attacks"}


def _findings(conn, tables: set[str], person_key: str, zone: str) -> pd.DataFrame:
    reads = [
        (name, {"person": person_key, **({"zone": zone} if name in _ZONED else {})})
        for table, name in _FINDINGS
        if table in tables
    ]
    if not reads:
        return pd.DataFrame(columns=["finding", "at", "detail"])
    return _union(conn, reads, '"at" DESC NULLS LAST, finding')


# ---------------------------------------------------------------------------------------- joined-view lists
def _list(conn, table: str, order: str) -> pd.DataFrame:
    if table not in _tables(conn):
        return pd.DataFrame()
    return conn.table(f"{MARTS}.{table}").order(order).to_arrow_table().to_pandas()


def leaving_sso_only(principal: Principal, conn) -> pd.DataFrame:
    """Leaving staff whose CE accounts are SSO-only without a personal e-mail (the CE team and admins)."""
    principal.require(Role.CE_TEAM, Role.ADMIN)
    return _list(conn, "leaving_sso_only", "termination_date DESC, person_key")


def plan_hr_mismatches(principal: Principal, conn) -> pd.DataFrame:
    """The employer's plan against HR (admins)."""
    principal.require(Role.ADMIN)
    return _list(conn, "plan_hr_mismatches", "kind, termination_date DESC NULLS LAST, member_id")


def cross_portal_attacks(principal: Principal, conn) -> pd.DataFrame:
    """Attacks across portals, newest first (admins)."""
    principal.require(Role.ADMIN)
    frame = _list(conn, "cross_portal_attacks", "first_at DESC, kind, ip")
    if not frame.empty:
        frame["person_keys"] = frame["person_keys"].map(
            lambda keys: ", ".join(keys) if keys is not None else ""
        )
    return frame


def link_review(principal: Principal, conn) -> pd.DataFrame:
    """Links below certainty or to more than one person, for review (admins)."""
    principal.require(Role.ADMIN)
    return _list(conn, "person_link_review", "source, source_id, person_key")
