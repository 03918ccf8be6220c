"""Login-security reads for the security / admin view. Only ``Role.ADMIN`` may call them (others:
NotPermitted).

Every function reads one login-security mart of the published snapshot, optionally narrowed to a portal and an
inclusive range of UTC dates (the marts keep UTC instants; the view labels them "UTC"), newest first.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from domain.contracts import PORTALS
from domain.marts import SCHEMA as MARTS
from reports.principal import Principal, Role
from reports.snapshot import ibis_backend

#: Newest rows returned at most by the list reads, so the page stays fast on a year of a health system's
#: logins.
DEFAULT_LIMIT = 5_000


def _mart(conn, name: str) -> ir.Table:
    return ibis_backend(conn).table(name, database=MARTS)


def _narrowed(
    principal: Principal,
    conn,
    name: str,
    time_column: str,
    portal: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> ir.Table:
    principal.require(Role.ADMIN)
    if portal is not None and portal not in PORTALS:
        raise ValueError(f"unknown portal {portal!r}; expected one of {list(PORTALS)}")
    t = _mart(conn, name)
    if portal is not None:
        t = t.filter(t.portal == portal)
    day = t[time_column] if t[time_column].type().is_date() else t[time_column].date()
    if start is not None:
        t = t.filter(day >= start)
    if end is not None:
        t = t.filter(day <= end)
    return t


def _frame(t: ir.Table, order: list, limit: int | None) -> pd.DataFrame:
    t = t.order_by(order)
    if limit is not None:
        t = t.limit(limit)
    return t.to_pyarrow().to_pandas()


def login_lockouts(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    username: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Locks (portal, username, locked_at, failures, locked_until, attempts_while_locked), newest first."""
    t = _narrowed(principal, conn, "login_lockouts", "locked_at", portal, start, end)
    if username is not None:
        t = t.filter(t.username == username)
    return _frame(t, [ibis.desc("locked_at"), "portal", "username"], limit)


def reset_outcomes(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    outcomes: tuple[str, ...] = (),
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Reset tokens with their outcome, newest request first (tokens never requested come last)."""
    t = _narrowed(principal, conn, "reset_outcomes", "requested_at", portal, start, end)
    if outcomes:
        t = t.filter(t.outcome.isin(list(outcomes)))
    order = [ibis.desc("requested_at", nulls_first=False), "portal", "reset_token"]
    return _frame(t, order, limit)


def reset_loops(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Reset loops (portal, username, first_request_at, requests, last_request_at), newest first."""
    t = _narrowed(principal, conn, "reset_loops", "first_request_at", portal, start, end)
    return _frame(t, [ibis.desc("first_request_at"), "portal", "username"], limit)


def credential_stuffing(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Credential-stuffing bursts (ip, portal, window_start, window_end, distinct_usernames, failures)."""
    t = _narrowed(principal, conn, "credential_stuffing", "window_start", portal, start, end)
    return _frame(t, [ibis.desc("window_start"), "ip", "portal"], limit)


def login_daily_summary(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Per portal and UTC day: logins, failures, lockouts, resets, sso_share; oldest day first (for
    charts)."""
    t = _narrowed(principal, conn, "login_daily_summary", "day", portal, start, end)
    return _frame(t, ["day", "portal"], None)


def security_overview(
    principal: Principal, conn, *, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """One row per portal over the range: the daily totals summed, SSO share over all logins, and findings."""
    daily = _narrowed(principal, conn, "login_daily_summary", "day", None, start, end)
    totals = daily.group_by("portal").aggregate(
        logins=daily.logins.sum().cast("int64"),
        failures=daily.failures.sum().cast("int64"),
        lockouts=daily.lockouts.sum().cast("int64"),
        resets=daily.resets.sum().cast("int64"),
        sso_logins=daily.sso_logins.sum().cast("int64"),
    )
    loops = _narrowed(principal, conn, "reset_loops", "first_request_at", None, start, end)
    bursts = _narrowed(principal, conn, "credential_stuffing", "window_start", None, start, end)
    expired = _narrowed(principal, conn, "reset_outcomes", "requested_at", None, start, end)
    expired = expired.filter(expired.outcome == "completed_after_expiry")
    findings = [
        loops.group_by("portal").aggregate(reset_loops=loops.count()),
        bursts.group_by("portal").aggregate(stuffing_bursts=bursts.count()),
        expired.group_by("portal").aggregate(expired_resets_completed=expired.count()),
    ]
    out = totals
    for f in findings:
        out = out.left_join(f, "portal").select(out, *[c for c in f.columns if c != "portal"])
    out = out.mutate(
        sso_share=ibis.ifelse(out.logins > 0, (out.sso_logins / out.logins).round(4), ibis.null("float64")),
        reset_loops=out.reset_loops.fill_null(0),
        stuffing_bursts=out.stuffing_bursts.fill_null(0),
        expired_resets_completed=out.expired_resets_completed.fill_null(0),
    ).drop("sso_logins")
    return _frame(out, ["portal"], None)
