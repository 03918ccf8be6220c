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

The rules have one home here: the marts get them as SQL (:func:`classified_clusters_sql`,
:func:`email_domain_sql`), the CE queue as Python (:func:`classify`, :func:`recommended_survivor`) for a
decision's accounts that no longer form a cluster; ``tests/ce/duplicates/test_classification_forms.py`` holds
the two forms to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

THIRD_ACCOUNT = "third_account"
PERSONAL_PLUS_ORGANISATION = "personal_plus_organisation"
OTHER = "other"
CLASSIFICATIONS = (PERSONAL_PLUS_ORGANISATION, THIRD_ACCOUNT, OTHER)

#: Share of a domain's accounts that must sign in by SSO for it to count as an organisation domain.
SSO_SHARE_FOR_ORGANISATION_DOMAIN = 0.5

#: ``email_domain_kind`` of ``marts.ce_accounts``: the e-mail's domain is an organisation domain or not.
ORGANISATION = "organisation"
PERSONAL = "personal"


def email_domain_sql(column: str = "email") -> str:
    """The e-mail domain of ``column`` as SQL: lower-cased, trimmed, the part after the first ``@``; NULL when
    there is none. Duplicate detection and the accounts mart both mark organisation domains by it."""
    return f"nullif(split_part(lower(trim({column})), '@', 2), '')"


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
    :func:`classified_clusters_sql`)."""
    if len(organisation_flags) >= 3:
        return THIRD_ACCOUNT
    return PERSONAL_PLUS_ORGANISATION if sum(organisation_flags) == 1 else OTHER


def _survivor_rank(c: Candidate) -> tuple:
    # the ORDER BY of survivor_rank in classified_clusters_sql: created_at ASC NULLS LAST
    return (c.login_method != "sso", not c.is_organisation, c.created_at is None, c.created_at, c.account_id)


def recommended_survivor(candidates: Iterable[Candidate]) -> str | None:
    """The account to keep when a cluster is merged: SSO, then organisation, then oldest, then smallest id."""
    ranked = sorted(candidates, key=_survivor_rank)
    return ranked[0].account_id if ranked else None


def organisation_domains(conn, table: str, configured: tuple[str, ...]) -> list[str]:
    if configured:
        return sorted({d.lower() for d in configured})
    rows = conn.execute(
        f"""
        SELECT email_domain FROM {table}
        WHERE email_domain IS NOT NULL
        GROUP BY email_domain
        HAVING avg(CASE WHEN login_method = 'sso' THEN 1.0 ELSE 0.0 END) >= ?
        ORDER BY email_domain
        """,
        [SSO_SHARE_FOR_ORGANISATION_DOMAIN],
    ).fetchall()
    return [r[0] for r in rows]


def classified_clusters_sql(members: str, accounts: str) -> str:
    """SELECT of the cluster mart from ``members(component_id, account_id)`` and the prepared ``accounts``.

    Expects a table ``dup_org_domains(email_domain)``. Only components of 2 or more accounts are kept; the
    cluster_id is the smallest account_id of the component (stable across reruns).
    """
    return f"""
    WITH m AS (
        SELECT
            min(mb.account_id) OVER (PARTITION BY mb.component_id) AS cluster_id,
            mb.account_id,
            count(*) OVER (PARTITION BY mb.component_id) AS cluster_size,
            a.login_method,
            a.created_at,
            (a.login_method = 'sso' OR od.email_domain IS NOT NULL) AS is_organisation_account
        FROM {members} mb
        JOIN {accounts} a USING (account_id)
        LEFT JOIN dup_org_domains od ON od.email_domain = a.email_domain
    ),
    ranked AS (
        SELECT *,
            row_number() OVER (
                PARTITION BY cluster_id
                ORDER BY (login_method = 'sso') DESC, is_organisation_account DESC, created_at ASC NULLS LAST,
                         account_id ASC
            ) AS survivor_rank,
            sum(CASE WHEN is_organisation_account THEN 1 ELSE 0 END) OVER (PARTITION BY cluster_id) AS n_org
        FROM m WHERE cluster_size >= 2
    )
    SELECT
        cluster_id,
        account_id,
        CAST(cluster_size AS INTEGER) AS cluster_size,
        CASE
            WHEN cluster_size >= 3 THEN '{THIRD_ACCOUNT}'
            WHEN n_org = 1 THEN '{PERSONAL_PLUS_ORGANISATION}'
            ELSE '{OTHER}'
        END AS classification,
        survivor_rank = 1 AS is_recommended_survivor,
        first_value(account_id) OVER (PARTITION BY cluster_id ORDER BY survivor_rank) AS
        recommended_survivor_account_id,
        is_organisation_account,
        login_method
    FROM ranked
    """
