"""CE reads for the dashboard: rejected attendance claims, credit totals, certificates, the CE transcript.

Scope is applied in the query: the CE team and admins see every CE account; staff see only the accounts that
reach their own person_id (SSO accounts, and accounts merged into one); every other role is refused.
Everything reads the published ``marts.ce_*`` tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from domain.ce.attendance import REJECTED, AttendanceReason
from domain.ce.credits import SOURCE_CE, SOURCE_EXTERNAL
from domain.org_time import day_bounds_utc
from domain.settings import DEFAULT_ORG_TIMEZONE
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.formatting import for_export
from reports.learning.access import MARTS, marts
from reports.learning.transcripts import Transcript, load_transcript
from reports.principal import NotPermitted, Principal, Role

OUTCOMES = "ce_attendance_outcomes"
ITEMS = "ce_credit_items"
TOTALS = "ce_credit_totals"
CERTIFICATES = "ce_certificates"

#: Rejected-claims list: (ce_attendance_outcomes column, heading).
REJECTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received_at", "Received"),  # a file adds the organisation's zone: "Received (CST)"
    ("reason", "Reason"),
    ("channel", "Channel"),
    ("from_phone", "From phone"),
    ("code", "Code"),
    ("account_id", "Account"),
    ("activity_id", "Activity"),
    ("event_id", "Event"),
)


def _scoped(principal: Principal, conn, table: str) -> ir.Table:
    t = marts(conn).table(table, database=MARTS)
    if principal.role in (Role.CE_TEAM, Role.ADMIN):
        return t
    if principal.role is Role.STAFF:
        if not principal.scope_value:
            raise NotPermitted("a staff sign-in without a person_id sees nothing")
        return t.filter(t.person_id == principal.scope_value)
    raise NotPermitted(f"role {principal.role} has no access to CE accounts")


def _frame(t: ir.Table) -> pd.DataFrame:
    return t.to_pyarrow().to_pandas()


def rejected_claims(
    principal: Principal,
    conn,
    *,
    reasons: Sequence[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    org_timezone: str = DEFAULT_ORG_TIMEZONE,
) -> pd.DataFrame:
    """Rejected attendance claims with their reason, newest first.

    ``date_from``/``date_to`` are inclusive days of received_at in ``org_timezone`` (the page passes
    ``Settings.org_timezone``), the days the page's times are shown in.
    """
    known = [r.value for r in AttendanceReason]
    unknown = set(reasons or ()) - set(known)
    if unknown:
        raise ValueError(f"unknown rejection reason {sorted(unknown)}; expected one of {known}")
    t = _scoped(principal, conn, OUTCOMES)
    t = t.filter(t.outcome == REJECTED)
    if reasons:
        t = t.filter(t.reason.isin(list(reasons)))
    since, until = day_bounds_utc(date_from, date_to, org_timezone)  # received_at is a naive UTC instant
    if since is not None:
        t = t.filter(t.received_at >= ibis.literal(since))
    if until is not None:
        t = t.filter(t.received_at < ibis.literal(until))
    t = t.select(*(c for c, _ in REJECTED_COLUMNS)).order_by([ibis.desc("received_at"), "event_id"])
    return _frame(t)


def rejection_counts(principal: Principal, conn) -> pd.DataFrame:
    """Rejected claims per reason, in the order the reasons are checked (reasons with none are left out)."""
    t = _scoped(principal, conn, OUTCOMES)
    t = t.filter(t.outcome == REJECTED)
    t = t.group_by("reason").aggregate(claims=t.count())
    frame = _frame(t)
    order = {r.value: i for i, r in enumerate(AttendanceReason)}
    return frame.sort_values("reason", key=lambda s: s.map(order)).reset_index(drop=True)


def credit_totals_by_type(principal: Principal, conn, *, year: int | None = None) -> pd.DataFrame:
    """Credits per credit type (and year), internal + external, over the principal's accounts; exact Decimals.

    Columns: ``credit_type, year, credits, accounts`` (accounts = how many accounts hold such credits).
    """
    t = _scoped(principal, conn, TOTALS)
    if year is not None:
        t = t.filter(t.year == year)
    t = t.group_by(["credit_type", "year"]).aggregate(
        credits=t.credits.sum(), accounts=t.account_id.nunique()
    )
    return _frame(t.order_by([ibis.desc("year"), "credit_type"]))


def credit_totals_in_range(
    principal: Principal, conn, date_from: dt.date | None, date_to: dt.date | None
) -> pd.DataFrame:
    """Credits per credit type completed between two dates (inclusive; ``None`` = open end). Columns
    ``credit_type, credits, accounts``."""
    t = _scoped(principal, conn, ITEMS)
    if date_from is not None:
        t = t.filter(t.completed_on >= ibis.literal(date_from))
    if date_to is not None:
        t = t.filter(t.completed_on <= ibis.literal(date_to))
    t = t.group_by("credit_type").aggregate(credits=t.credits.sum(), accounts=t.account_id.nunique())
    return _frame(t.order_by("credit_type"))


def certificates(principal: Principal, conn, *, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Certificates as of the run date, soonest to expire first (``available_until`` = last download day)."""
    t = _scoped(principal, conn, CERTIFICATES)
    if statuses:
        t = t.filter(t.status.isin(list(statuses)))
    return _frame(t.order_by(["available_until", "event_id"]))


def ce_transcript(
    principal: Principal,
    conn,
    person_id: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Transcript:
    """A person's CE transcript: their transcript's ``ce`` and ``external`` items only, with the same header,
    totals and PDF/Excel exports (``reports.learning.transcripts.transcript_pdf`` / ``transcript_excel``).
    Scope follows the transcript's rules (staff: themselves)."""
    full = load_transcript(principal, conn, person_id, date_from, date_to)
    items = tuple(i for i in full.items if i.source in (SOURCE_CE, SOURCE_EXTERNAL))
    return dataclasses.replace(full, items=items)


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[list]:
    # None for missing values (pandas may hold NaN/NaT), so exports show an empty cell.
    return [
        [None if pd.isna(v) else v for v in row]
        for row in frame[list(columns)].itertuples(index=False, name=None)
    ]


def rejected_claims_excel(frame: pd.DataFrame, timezone: str = DEFAULT_ORG_TIMEZONE) -> bytes:
    """A frame from :func:`rejected_claims` as a one-sheet workbook (cells pass the formula guard); received
    times in ``timezone``, named in the header ("Received (CST)")."""
    return workbook_bytes([Sheet("Rejected claims", *_rejected_table(frame, timezone))])


def rejected_claims_csv(frame: pd.DataFrame, timezone: str = DEFAULT_ORG_TIMEZONE) -> bytes:
    return csv_bytes(*_rejected_table(frame, timezone))


def _rejected_table(frame: pd.DataFrame, timezone: str) -> tuple[list[str], list[list]]:
    named = frame[[c for c, _ in REJECTED_COLUMNS]].rename(columns=dict(REJECTED_COLUMNS))
    # reason and channel in words as on the page, each code after them
    shown = for_export(named, timezone=timezone, labelled=["Reason", "Channel"], time_columns=["Received"])
    rows = _rows(shown, list(shown.columns))
    # pandas Timestamps -> datetime, so Excel gets a date-time cell and CSV an ISO string
    return list(shown.columns), [
        [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row] for row in rows
    ]
