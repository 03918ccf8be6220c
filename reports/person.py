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
from reports.principal import NotPermitted, Principal, Role

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


def _frame(conn, sql: str, params: list | None = None) -> pd.DataFrame:
    return conn.sql(sql, params=params or []).to_arrow_table().to_pandas()


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
    return _frame(
        conn,
        f"""
        SELECT person_id, first_name, last_name, department, termination_date
        FROM {MARTS}.learning_people p
        WHERE lower(person_id) = ? OR lower(email) = ?
           OR lower(first_name || ' ' || last_name) LIKE ? ESCAPE '\\'
           OR lower(last_name || ', ' || first_name) LIKE ? ESCAPE '\\'
           OR person_id IN (SELECT person_key FROM {MARTS}.person_links WHERE lower(source_id) = ?)
        ORDER BY last_name, first_name, person_id
        LIMIT {int(limit)}
        """,
        [needle, needle, like, like, needle],
    )


def person_view(principal: Principal, conn, person_key: str) -> PersonView:
    """Everything the Person page shows about one person (NotPermitted for other roles or an unknown
    person)."""
    principal.require(*VIEWERS)
    tables = _require_links(conn)
    masked = ", lc_user_id_masked" if principal.role is Role.ADMIN else ""
    people = _frame(
        conn,
        f"""SELECT person_id, first_name, last_name, email, department, job_role, hire_date,
        termination_date{masked}
            FROM {MARTS}.learning_people WHERE person_id = ?""",
        [person_key],
    )
    if people.empty:
        raise NotPermitted("no such person")
    links = _frame(
        conn,
        f"""SELECT source, source_id, method, probability, evidence FROM {MARTS}.person_links
            WHERE person_key = ? ORDER BY source, source_id""",
        [person_key],
    )
    review = (
        _frame(
            conn,
            f"""SELECT source, source_id, method, probability, evidence, reason FROM
            {MARTS}.person_link_review
                WHERE person_key = ? ORDER BY source, source_id""",
            [person_key],
        )
        if "person_link_review" in tables
        else pd.DataFrame()
    )
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
        compliance=_optional(
            conn,
            tables,
            "compliance_status",
            "SELECT * FROM {t} WHERE person_id = ? ORDER BY due_date",
            [person_key],
        ),
        ce_transcript=_optional(
            conn,
            tables,
            "transcript_items",
            "SELECT * FROM {t} WHERE person_id = ? AND source IN ('ce', 'external') ORDER BY completed_on "
            "DESC, item_id",
            [person_key],
        ),
        duplicate_accounts=_duplicates(conn, tables, ids["ce_account"]),
        plan_coverage=_coverage(conn, tables, ids["plan_member"]),
        findings=_findings(conn, tables, person_key),
    )


def _optional(conn, tables: set[str], table: str, sql: str, params: list) -> pd.DataFrame:
    if table not in tables:
        return pd.DataFrame()
    return _frame(conn, sql.format(t=f"{MARTS}.{table}"), params)


def _sign_in_problems(conn, tables: set[str], users: list[tuple[str, str]]) -> pd.DataFrame:
    """Lockouts, reset links not completed in time, and reset loops of the person's portal user names."""
    parts, params = [], []
    if not users:
        return pd.DataFrame(columns=["portal", "username", "problem", "at", "detail"])
    keys = " OR ".join("(portal = ? AND username = ?)" for _ in users)
    flat = [v for pair in users for v in pair]
    if "login_lockouts" in tables:
        parts.append(
            f"SELECT portal, username, 'lockout' AS problem, locked_at AS at, "
            f"CAST(failures AS VARCHAR) || ' failures in a row' AS detail FROM {MARTS}.login_lockouts WHERE "
            f"{keys}"
        )
        params += flat
    if "reset_outcomes" in tables:
        parts.append(
            "SELECT portal, username, 'reset ' || replace(outcome, '_', ' '), coalesce(requested_at, "
            "completed_at), "
            f"coalesce(CAST(minutes_to_complete AS VARCHAR) || ' minutes to complete', 'never completed') "
            f"FROM {MARTS}.reset_outcomes WHERE outcome <> 'completed_in_time' AND ({keys})"
        )
        params += flat
    if "reset_loops" in tables:
        parts.append(
            "SELECT portal, username, 'reset loop', first_request_at, CAST(requests AS VARCHAR) || ' "
            "requests' "
            f"FROM {MARTS}.reset_loops WHERE {keys}"
        )
        params += flat
    if not parts:
        return pd.DataFrame(columns=["portal", "username", "problem", "at", "detail"])
    sql = " UNION ALL ".join(parts) + f' ORDER BY "at" DESC, portal, username LIMIT {PROBLEM_LIMIT}'
    return _frame(conn, sql, params)


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"


def _duplicates(conn, tables: set[str], accounts: list[str]) -> pd.DataFrame:
    """Every cluster one of the person's CE accounts is in, with each member account's e-mail and sign-in."""
    if not accounts or "duplicate_account_clusters" not in tables:
        return pd.DataFrame(columns=["cluster_id", "account_id"])
    detail = "a.email, a.login_method, " if "ce_accounts" in tables else ""
    join = f"LEFT JOIN {MARTS}.ce_accounts a USING (account_id)" if "ce_accounts" in tables else ""
    return _frame(
        conn,
        f"""SELECT c.cluster_id, c.account_id, {detail} c.classification, c.recommended_survivor_account_id
            FROM {MARTS}.duplicate_account_clusters c {join}
            WHERE c.cluster_id IN (SELECT cluster_id FROM {MARTS}.duplicate_account_clusters
                                   WHERE {_in("account_id", accounts)})
            ORDER BY c.cluster_id, c.account_id""",
        accounts,
    )


def _coverage(conn, tables: set[str], members: list[str]) -> pd.DataFrame:
    """Coverage spans only: who, which employer, plan, tier and dates (never a claim or an amount)."""
    columns = "member_id, employer_name, relationship, plan_id, coverage_tier, coverage_start, coverage_end"
    if not members or "employer_enrollment" not in tables:
        return pd.DataFrame(columns=columns.split(", "))
    return _frame(
        conn,
        f"SELECT {columns} FROM {MARTS}.employer_enrollment WHERE {_in('member_id', members)} "
        "ORDER BY member_id, coverage_start",
        members,
    )


def _findings(conn, tables: set[str], person_key: str) -> pd.DataFrame:
    parts, params = [], []
    if "leaving_sso_only" in tables:
        parts.append(
            "SELECT 'leaving, CE by SSO only' AS finding, termination_date AS at, "
            f"'CE account(s) ' || account_ids || ' have no personal e-mail' AS detail "
            f"FROM {MARTS}.leaving_sso_only WHERE person_key = ?"
        )
        params.append(person_key)
    if "plan_hr_mismatches" in tables:
        parts.append(
            "SELECT replace(kind, '_', ' '), termination_date, 'member ' || member_id || ', plan ' || "
            "plan_id "
            f"|| ', coverage from ' || CAST(coverage_start AS VARCHAR) "
            f"|| coalesce(' to ' || CAST(coverage_end AS VARCHAR), ' (open)') "
            f"FROM {MARTS}.plan_hr_mismatches WHERE person_key = ?"
        )
        params.append(person_key)
    if "cross_portal_attacks" in tables:
        parts.append(
            f"SELECT replace(kind, '_', ' '), CAST(first_at AS DATE), 'portals ' || portals || ', IP ' || ip "
            f"FROM {MARTS}.cross_portal_attacks WHERE list_contains(person_keys, ?)"
        )
        params.append(person_key)
    if not parts:
        return pd.DataFrame(columns=["finding", "at", "detail"])
    return _frame(conn, " UNION ALL ".join(parts) + ' ORDER BY "at" DESC NULLS LAST, finding', params)


# ---------------------------------------------------------------------------------------- joined-view lists
def _list(conn, table: str, order: str) -> pd.DataFrame:
    if table not in _tables(conn):
        return pd.DataFrame()
    return _frame(conn, f"SELECT * FROM {MARTS}.{table} ORDER BY {order}")


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
