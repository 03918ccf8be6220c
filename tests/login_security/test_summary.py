"""Daily summary per portal (days are UTC dates)."""

from __future__ import annotations

import datetime as dt

import ibis

from domain.login_security import Scratch, login_daily_summary, login_lockouts
from tests.login_security.helpers import event, failures, rows_of, staged


def test_daily_summary_counts_per_portal_and_utc_day():
    rows = [
        # 2026-03-04 23:30 in Chicago (-06:00) is 2026-03-05 05:30 UTC: it counts on the 5th.
        event("2026-03-04T23:30:00-06:00", "login_success", "a", method="sso"),
        event("2026-03-05T08:00:00Z", "login_success", "b", method="password"),
        event("2026-03-05T08:05:00Z", "login_success", "c", method="sso"),
        event("2026-03-05T08:06:00Z", "login_success", "d", method="sso"),
        *failures("e", *[f"2026-03-05T09:0{m}:00Z" for m in range(5)]),  # 5 failures -> one lockout at 09:04
        event("2026-03-05T09:10:00Z", "password_reset_requested", "e", token="t1"),
        event("2026-03-05T09:12:00Z", "password_reset_completed", "e", token="t1"),
        event("2026-03-05T10:00:00Z", "logout", "b"),
        # The evening before in UTC, on another portal: a failure only.
        event("2026-03-04T20:00:00Z", "login_failure", "x", portal="health_plans"),
    ]
    conn, events = staged(rows)
    with Scratch(ibis.duckdb.from_connection(conn)) as scratch:
        got = rows_of(login_daily_summary(events, login_lockouts(events, scratch)))
    assert got == [
        {
            "portal": "ce_portal",
            "day": dt.date(2026, 3, 5),
            "logins": 4,
            "failures": 5,
            "lockouts": 1,
            "resets": 1,  # requests; the completion is not a second reset
            "sso_share": 0.75,  # 3 of 4 logins by SSO
            "sso_logins": 3,
        },
        {
            "portal": "health_plans",
            "day": dt.date(2026, 3, 4),
            "logins": 0,
            "failures": 1,
            "lockouts": 0,
            "resets": 0,
            "sso_share": None,  # no logins: no share
            "sso_logins": 0,
        },
    ]
