"""CE credits: what accepted claims award, external credits, and totals per account or person and period.

- An accepted claim awards each credit type its (credited) account's degree earns (``domain.ce.eligibility``).
- Its date (``completed_on``) is the org-local date of the claim, but never later than the activity's end: a
  code texted the morning after an evening session, or attendance an admin enters weeks later, counts on the
  day the activity ended.
- External credits count as uploaded, for the survivor of their account after merges.
- Totals are exact decimals per credit type, per calendar year of ``completed_on`` or for any date range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import ibis

from domain.ce.attendance import ACCEPTED
from domain.ce.eligibility import awarded_credit_types
from domain.ce.tables import DEFAULT_ORG_TIMEZONE, CeTables, as_date, credited_accounts, local_date

CREDITS_TYPE = "decimal(14, 2)"
SOURCE_CE = "ce"
SOURCE_EXTERNAL = "external"

AWARD_COLUMNS = (
    "event_id",
    "account_id",
    "person_id",
    "activity_id",
    "title",
    "completed_on",
    "credit_type",
    "credits",
)
ITEM_COLUMNS = (
    "account_id",
    "person_id",
    "source",
    "item_id",
    "activity_id",
    "title",
    "provider_name",
    "completed_on",
    "credit_type",
    "credits",
)
TRANSCRIPT_COLUMNS = (
    "person_id",
    "source",
    "item_id",
    "title",
    "completed_on",
    "credit_type",
    "credits",
    "hours",
)

By = Literal["account", "person"]


@dataclass(frozen=True)
class CreditPolicy:
    org_timezone: str = DEFAULT_ORG_TIMEZONE


def credits_awarded(outcomes: ibis.Table, tables: CeTables, policy: CreditPolicy | None = None) -> ibis.Table:
    """One row per accepted claim × credit type awarded (columns :data:`AWARD_COLUMNS`).

    ``outcomes`` is :func:`domain.ce.attendance.attendance_outcomes` (or the mart built from it).
    """
    policy = policy or CreditPolicy()
    accepted = outcomes.filter(outcomes.outcome == ACCEPTED)
    accounts = credited_accounts(tables)
    degrees = accounts.select(a_account="account_id", degree_key="degree_key")
    acts = tables.activities.select(a_activity="activity_id", title="title", ends_at="ends_at")
    awards = awarded_credit_types(tables.activity_credits, accounts.select("degree_key")).rename(
        w_activity="activity_id", w_degree="degree_key"
    )
    joined = (
        accepted.join(degrees, accepted.account_id == degrees.a_account)
        .join(acts, accepted.activity_id == acts.a_activity)
        .join(awards, (accepted.activity_id == awards.w_activity) & (degrees.degree_key == awards.w_degree))
    )
    return joined.select(
        event_id=joined.event_id,
        account_id=joined.account_id,
        person_id=joined.person_id,
        activity_id=joined.activity_id,
        title=joined.title,
        completed_on=local_date(ibis.least(joined.received_at, joined.ends_at), policy.org_timezone),
        credit_type=joined.credit_type,
        credits=joined.credits.cast(CREDITS_TYPE),
    )


def credit_items(awarded: ibis.Table, tables: CeTables) -> ibis.Table:
    """Every credit an account holds, internal (``ce``, item_id = event_id) and ``external`` (item_id =
    external_id), credited to the survivor after merges. Columns :data:`ITEM_COLUMNS`."""
    internal = awarded.select(
        account_id=awarded.account_id,
        person_id=awarded.person_id,
        source=ibis.literal(SOURCE_CE),
        item_id=awarded.event_id,
        activity_id=awarded.activity_id,
        title=awarded.title,
        provider_name=ibis.null("string"),
        completed_on=awarded.completed_on,
        credit_type=awarded.credit_type,
        credits=awarded.credits.cast(CREDITS_TYPE),
    )
    ext = tables.external_credits
    owners = credited_accounts(tables).rename(o_account="account_id")
    joined = ext.left_join(owners, ext.account_id == owners.o_account)
    external = joined.select(
        # An upload naming no known account is kept (credits are never dropped), under the id it gave.
        account_id=joined.credited_account_id.fill_null(joined.account_id),
        person_id=joined.person_id,
        source=ibis.literal(SOURCE_EXTERNAL),
        item_id=joined.external_id,
        activity_id=ibis.null("string"),
        title=joined.title,
        provider_name=joined.provider_name,
        completed_on=joined.completed_on,
        credit_type=joined.credit_type,
        credits=joined.credits.cast(CREDITS_TYPE),
    )
    return ibis.union(internal, external, distinct=False)


def credit_totals(items: ibis.Table, by: By = "account") -> ibis.Table:
    """Credits per account (or person) per credit type per calendar year.

    Columns ``account_id, person_id, credit_type, year, credits`` (by account) or ``person_id, credit_type,
    year, credits`` (by person; accounts reaching no person are left out).
    """
    items = _keyed(items, by)
    return items.group_by([*_keys(by), "credit_type", items.completed_on.year().name("year")]).aggregate(
        credits=items.credits.sum()
    )


def credit_totals_between(items: ibis.Table, start: dt.date | None, end: dt.date | None, by: By = "account"):
    """Credits per account (or person) per credit type completed from ``start`` to ``end``, both inclusive
    (``None`` = open-ended; both ``None`` = Complete History)."""
    items = _keyed(items, by)
    if start is not None:
        items = items.filter(items.completed_on >= as_date(start))
    if end is not None:
        items = items.filter(items.completed_on <= as_date(end))
    return items.group_by([*_keys(by), "credit_type"]).aggregate(credits=items.credits.sum())


def transcript_items(items: ibis.Table) -> ibis.Table:
    """The CE part of a person's transcript (columns :data:`TRANSCRIPT_COLUMNS`): credits of accounts that
    reach a
    person. ``hours`` is NULL: CE activities award credits, not contact hours."""
    reachable = items.filter(items.person_id.notnull())
    return reachable.select(
        "person_id",
        "source",
        "item_id",
        "title",
        "completed_on",
        "credit_type",
        "credits",
        hours=ibis.null(CREDITS_TYPE),
    )


def _keys(by: By) -> list[str]:
    if by == "account":
        return ["account_id", "person_id"]
    if by == "person":
        return ["person_id"]
    raise ValueError(f"credit totals are by 'account' or 'person', not {by!r}")


def _keyed(items: ibis.Table, by: By) -> ibis.Table:
    return items.filter(items.person_id.notnull()) if by == "person" else items
