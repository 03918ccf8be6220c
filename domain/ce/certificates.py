"""CE certificates as of a date: one per accepted claim.

- ``available_until`` = the org-local date the activity ended + ``certificate_days`` (per activity, default
  30): the last day the certificate can be downloaded.
- Status as of D: ``expired`` when D > available_until (whether or not the evaluation was done: it can no
  longer be downloaded); otherwise ``awaiting_evaluation`` when the activity requires an evaluation and the
  (credited) account submitted none for it by D; otherwise ``issued``.
- ``expiring_soon`` when not expired and available_until ≤ D + 7 days, so learners save (or earn) it in time.
- As of D only claims received and evaluations submitted on or before D count, so a past snapshot can be
  rebuilt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis

from domain.ce.attendance import ACCEPTED
from domain.ce.tables import (
    DEFAULT_ORG_TIMEZONE,
    CeTables,
    as_date,
    credited_accounts,
    local_date,
    local_wall_clock,
)

AWAITING_EVALUATION = "awaiting_evaluation"
ISSUED = "issued"
EXPIRED = "expired"

CERTIFICATE_COLUMNS = (
    "event_id",
    "account_id",
    "person_id",
    "activity_id",
    "title",
    "evaluation_required",
    "evaluated_at",
    "status",
    "available_until",
    "days_left",
    "expiring_soon",
)


@dataclass(frozen=True)
class CertificatePolicy:
    certificate_days: int = 30  # when the activity leaves certificate_days empty
    expiring_within_days: int = 7
    org_timezone: str = DEFAULT_ORG_TIMEZONE


def certificates(
    outcomes: ibis.Table, tables: CeTables, as_of: dt.date, policy: CertificatePolicy | None = None
) -> ibis.Table:
    """Certificates as of ``as_of`` (columns :data:`CERTIFICATE_COLUMNS`).

    ``days_left`` = available_until − as_of (0 on the last download day, negative once expired).
    """
    policy = policy or CertificatePolicy()
    day = as_date(as_of)
    tz = policy.org_timezone
    claims = outcomes.filter((outcomes.outcome == ACCEPTED) & (local_date(outcomes.received_at, tz) <= day))

    acts = tables.activities
    acts = acts.select(
        a_activity=acts.activity_id,
        title=acts.title,
        evaluation_required=acts.evaluation_required,
        # Days are added to the local wall-clock end, so a DST change in between does not shift the day.
        available_until=(
            local_wall_clock(acts.ends_at, tz)
            + acts.certificate_days.fill_null(policy.certificate_days).as_interval("D")
        ).date(),
    )

    ev = tables.evaluations
    owners = credited_accounts(tables).select(o_account="account_id", o_credited="credited_account_id")
    ev = ev.filter(local_date(ev.submitted_at, tz) <= day)
    ev = ev.join(owners, ev.account_id == owners.o_account)
    evaluated = ev.group_by(e_account=ev.o_credited, e_activity=ev.activity_id).aggregate(
        evaluated_at=ev.submitted_at.min()
    )

    joined = claims.join(acts, claims.activity_id == acts.a_activity).left_join(
        evaluated, (claims.account_id == evaluated.e_account) & (claims.activity_id == evaluated.e_activity)
    )
    status = ibis.cases(
        (day > joined.available_until, EXPIRED),
        (joined.evaluation_required & joined.evaluated_at.isnull(), AWAITING_EVALUATION),
        else_=ISSUED,
    )
    days_left = joined.available_until.delta(day, unit="day")
    return joined.select(
        event_id=joined.event_id,
        account_id=joined.account_id,
        person_id=joined.person_id,
        activity_id=joined.activity_id,
        title=joined.title,
        evaluation_required=joined.evaluation_required,
        evaluated_at=joined.evaluated_at,
        status=status,
        available_until=joined.available_until,
        days_left=days_left,
        expiring_soon=(days_left >= 0) & (days_left <= policy.expiring_within_days),
    )
