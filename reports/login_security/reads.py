"""Login-security reads for the security / admin view. Only ``Role.ADMIN`` may call them (others:
NotPermitted).

Every function runs one ``.sql`` file of this package on the published snapshot's login-security marts,
optionally narrowed to a portal and an inclusive range of the organisation's calendar days (``start``/``end``
in ``org_timezone``, by default the configured ``Settings.org_timezone``), newest first. The days mean the
same on every read: ``marts.login_daily_summary`` counts org days, and a finding's instant (kept in UTC) is
on a day when it falls between the day's first instant and the next day's, so the trend and the tables agree.
The files bind every value (``NULL``: no filter).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.contracts import PORTALS
from domain.org_time import day_bounds_utc
from domain.settings import Settings
from domain.sql_files import load
from reports.principal import Principal, Role
from reports.snapshot import in_marts

#: Newest rows returned at most by the list reads, so the page stays fast on a year of a health system's
#: logins.
DEFAULT_LIMIT = 5_000


def _read(principal: Principal, conn, name: str, **params) -> pd.DataFrame:
    """``reports/login_security/<name>.sql`` with ``params`` bound, for an admin only; an unknown portal is
    refused."""
    principal.require(Role.ADMIN)
    portal = params.get("portal")
    if portal is not None and portal not in PORTALS:
        raise ValueError(f"unknown portal {portal!r}; expected one of {list(PORTALS)}")
    with in_marts(conn):
        return conn.sql(load(__package__, name), params=params).to_arrow_table().to_pandas()


def _instants(start: dt.date | None, end: dt.date | None, org_timezone: str | None) -> dict:
    """``since``/``until``: the org days ``start``..``end`` as the UTC instants [since, until) the marts
    keep."""
    since, until = day_bounds_utc(start, end, org_timezone or Settings().org_timezone)
    return {"since": since, "until": until}


def login_lockouts(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_timezone: str | None = None,
    username: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Locks (portal, username, locked_at, failures, locked_until, attempts_while_locked), newest first."""
    return _read(
        principal,
        conn,
        "login_lockouts",
        portal=portal,
        **_instants(start, end, org_timezone),
        username=username,
        limit=limit,
    )


def reset_outcomes(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_timezone: str | None = None,
    outcomes: tuple[str, ...] = (),
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Reset tokens with their outcome, newest request first (tokens never requested come last); ``outcomes``
    empty: every outcome."""
    narrow = list(outcomes) or None
    return _read(
        principal,
        conn,
        "reset_outcomes",
        portal=portal,
        **_instants(start, end, org_timezone),
        outcomes=narrow,
        limit=limit,
    )


def reset_loops(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_timezone: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Reset loops (portal, username, first_request_at, requests, last_request_at), newest first."""
    return _read(
        principal, conn, "reset_loops", portal=portal, **_instants(start, end, org_timezone), limit=limit
    )


def credential_stuffing(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_timezone: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Credential-stuffing bursts (ip, portal, window_start, window_end, distinct_usernames, failures)."""
    days = _instants(start, end, org_timezone)
    return _read(principal, conn, "credential_stuffing", portal=portal, **days, limit=limit)


def login_daily_summary(
    principal: Principal,
    conn,
    *,
    portal: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Per portal and org day: logins, failures, lockouts, resets, sso_share; oldest day first (for charts).
    The mart's days are already the organisation's, so no zone is needed here."""
    return _read(principal, conn, "login_daily_summary", portal=portal, start=start, end=end)


def security_overview(
    principal: Principal,
    conn,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_timezone: str | None = None,
) -> pd.DataFrame:
    """One row per portal over the org days: the daily totals summed, SSO share over all logins, and findings
    (each on the org day it began)."""
    return _read(
        principal, conn, "security_overview", start=start, end=end, **_instants(start, end, org_timezone)
    )
