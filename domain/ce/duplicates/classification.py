"""What kind of duplicate a cluster is, and which account should survive a merge.

- ``third_account``: 3 or more accounts of one person (always this, whatever else holds).
- ``personal_plus_organisation``: two accounts, exactly one of them an organisation account (SSO login or an
  e-mail on an organisation domain) - the classic "signed up privately, then got SSO" case.
- ``other``: two accounts of the same kind.

Recommended survivor: SSO accounts first, then organisation-domain accounts, then the oldest (``created_at``),
then the smallest account_id, so the choice is deterministic.

Organisation domains are ``DuplicatePolicy.organisation_domains`` when given; otherwise every e-mail domain of
which at least half the accounts sign in by SSO (so one SSO user with a gmail address does not make gmail.com
an organisation domain).

The rules have one home here: the marts get them as SQL (``classified_clusters.sql``, run by
:func:`classified_clusters`; the ``ce_email_domain`` macro of :func:`define_email_domain`), the CE queue as
Python (:func:`classify`, :func:`recommended_survivor`) for a decision's accounts that no longer form a
cluster; ``tests/ce/duplicates/test_classification_forms.py`` holds the two forms to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from domain.sql_files import load

THIRD_ACCOUNT = "third_account"
PERSONAL_PLUS_ORGANISATION = "personal_plus_organisation"
OTHER = "other"
CLASSIFICATIONS = (PERSONAL_PLUS_ORGANISATION, THIRD_ACCOUNT, OTHER)

#: Share of a domain's accounts that must sign in by SSO for it to count as an organisation domain.
SSO_SHARE_FOR_ORGANISATION_DOMAIN = 0.5

#: ``email_domain_kind`` of ``marts.ce_accounts``: the e-mail's domain is an organisation domain or not.
ORGANISATION = "organisation"
PERSONAL = "personal"


def define_email_domain(conn) -> None:
    """Define the temporary macro ``ce_email_domain(email)`` on ``conn``: the e-mail domain, lower-cased,
    trimmed, the part after the first ``@``; NULL when there is none. Duplicate detection and the accounts
    mart both mark organisation domains by it."""
    conn.execute(load(__package__, "ce_email_domain_macro"))


def is_organisation_account(login_method: str | None, on_organisation_domain: bool) -> bool:
    """An organisation account signs in by SSO or has an e-mail on an organisation domain."""
    return login_method == "sso" or on_organisation_domain


class Candidate(NamedTuple):
    """What the survivor choice looks at of one account."""

    account_id: str
    login_method: str | None
    is_organisation: bool
    created_at: dt.datetime | None


def classify(organisation_flags: Sequence[bool]) -> str:
    """A cluster's kind from its accounts' ``is_organisation`` flags (the CASE of
    ``classified_clusters.sql``)."""
    if len(organisation_flags) >= 3:
        return THIRD_ACCOUNT
    return PERSONAL_PLUS_ORGANISATION if sum(organisation_flags) == 1 else OTHER


def _survivor_rank(c: Candidate) -> tuple:
    # the ORDER BY of survivor_rank in classified_clusters.sql: created_at ASC NULLS LAST
    return (c.login_method != "sso", not c.is_organisation, c.created_at is None, c.created_at, c.account_id)


def recommended_survivor(candidates: Iterable[Candidate]) -> str | None:
    """The account to keep when a cluster is merged: SSO, then organisation, then oldest, then smallest id."""
    ranked = sorted(candidates, key=_survivor_rank)
    return ranked[0].account_id if ranked else None


def organisation_domains(conn, accounts, configured: tuple[str, ...]) -> list[str]:
    """Organisation domains: ``configured`` when given, else the domains most of whose ``accounts`` (a DuckDB
    relation on ``conn`` with ``email_domain`` and ``login_method``) sign in by SSO."""
    if configured:
        return sorted({d.lower() for d in configured})
    # the relation gets a fixed name so the statement is a file, not text built around a table name
    conn.register("dup_domain_logins", accounts)
    try:
        rows = conn.execute(
            load(__package__, "organisation_domains"), {"sso_share": SSO_SHARE_FOR_ORGANISATION_DOMAIN}
        ).fetchall()
    finally:
        conn.unregister("dup_domain_logins")
    return [r[0] for r in rows]


def classified_clusters(conn):
    """The cluster mart as a DuckDB relation, from ``dup_members(component_id, account_id)``, the prepared
    ``dup_accounts`` and ``dup_org_domains(email_domain)`` (``classified_clusters.sql``)."""
    return conn.sql(
        load(__package__, "classified_clusters"),
        params={
            "third_account": THIRD_ACCOUNT,
            "personal_plus_organisation": PERSONAL_PLUS_ORGANISATION,
            "other": OTHER,
        },
    )
