"""Daily summary per portal, counted in the organisation's calendar days (America/Chicago here: CST is UTC-6,
CDT UTC-5; in 2026 the clocks go forward on March 8 at 02:00 and back on November 1 at 02:00)."""

from __future__ import annotations

import datetime as dt

import ibis

from domain.login_security import Scratch, login_daily_summary, login_lockouts
from tests.login_security.helpers import event, failures, rows_of, staged

CHICAGO = "America/Chicago"


def _summary(rows: list[dict], org_timezone: str = CHICAGO) -> list[dict]:
    conn, events = staged(rows)
    with Scratch(ibis.duckdb.from_connection(conn)) as scratch:
        return rows_of(
            login_daily_summary(events, login_lockouts(events, scratch), org_timezone=org_timezone)
        )


def _per_day(rows: list[dict], column: str = "failures", org_timezone: str = CHICAGO) -> dict[dt.date, int]:
    return {r["day"]: r[column] for r in _summary(rows, org_timezone)}


def _failures_at(*instants: str) -> list[dict]:
    """One failed login per instant, each by another user (so no lock)."""
    return [event(at, "login_failure", f"u{i}") for i, at in enumerate(instants)]


def test_daily_summary_counts_per_portal_and_org_day():
    rows = [
        # 2026-03-04 23:30 in Chicago is 2026-03-05 05:30 UTC: it counts on the 4th, its day in Chicago.
        event("2026-03-04T23:30:00-06:00", "login_success", "a", method="sso"),
        event("2026-03-05T08:00:00Z", "login_success", "b", method="password"),  # 02:00 CST on the 5th
        event("2026-03-05T08:05:00Z", "login_success", "c", method="sso"),
        event("2026-03-05T08:06:00Z", "login_success", "d", method="sso"),
        *failures("e", *[f"2026-03-05T09:0{m}:00Z" for m in range(5)]),  # 5 failures -> one lockout at 09:04
        event("2026-03-05T09:10:00Z", "password_reset_requested", "e", token="t1"),
        event("2026-03-05T09:12:00Z", "password_reset_completed", "e", token="t1"),
        event("2026-03-05T10:00:00Z", "logout", "b"),
        # The afternoon before, on another portal: a failure only.
        event("2026-03-04T20:00:00Z", "login_failure", "x", portal="health_plans"),
    ]
    assert _summary(rows) == [
        {
            "portal": "ce_portal",
            "day": dt.date(2026, 3, 4),
            "logins": 1,
            "failures": 0,
            "lockouts": 0,
            "resets": 0,
            "sso_share": 1.0,
            "sso_logins": 1,
        },
        {
            "portal": "ce_portal",
            "day": dt.date(2026, 3, 5),
            "logins": 3,
            "failures": 5,
            "lockouts": 1,
            "resets": 1,  # requests; the completion is not a second reset
            "sso_share": 0.6667,  # 2 of 3 logins by SSO
            "sso_logins": 2,
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


def test_the_day_turns_at_org_midnight_not_at_utc_midnight():
    rows = _failures_at(
        "2026-03-04T23:59:00Z",  # 17:59 CST on the 4th
        "2026-03-05T00:01:00Z",  # 18:01 CST: still the 4th, though UTC says the 5th
        "2026-03-05T05:59:59Z",  # 23:59:59 CST: the 4th's last second
        "2026-03-05T06:00:00Z",  # 00:00 CST: the 5th begins
        "2026-03-05T06:01:00Z",
    )
    assert _per_day(rows) == {dt.date(2026, 3, 4): 3, dt.date(2026, 3, 5): 2}


def test_the_spring_forward_day_has_23_hours():
    # March 8 in Chicago runs from 06:00 UTC (midnight CST) to 05:00 UTC on the 9th (midnight CDT).
    rows = _failures_at(
        "2026-03-08T05:59:00Z",  # 23:59 CST on the 7th
        "2026-03-08T06:00:00Z",  # 00:00 CST on the 8th
        "2026-03-08T08:30:00Z",  # 03:30 CDT (02:00-03:00 never happened)
        "2026-03-09T04:59:00Z",  # 23:59 CDT on the 8th (at a fixed UTC-6 it would read 22:59)
        "2026-03-09T05:00:00Z",  # 00:00 CDT on the 9th (at a fixed UTC-6 it would still be the 8th)
    )
    assert _per_day(rows) == {dt.date(2026, 3, 7): 1, dt.date(2026, 3, 8): 3, dt.date(2026, 3, 9): 1}


def test_the_fall_back_day_has_25_hours():
    # November 1 in Chicago runs from 05:00 UTC (midnight CDT) to 06:00 UTC on the 2nd (midnight CST).
    rows = _failures_at(
        "2026-11-01T04:59:00Z",  # 23:59 CDT on October 31
        "2026-11-01T05:00:00Z",  # 00:00 CDT on the 1st
        "2026-11-01T06:30:00Z",  # 01:30 CDT
        "2026-11-01T07:30:00Z",  # 01:30 CST, the second time the clock reads 01:30
        "2026-11-02T05:30:00Z",  # 23:30 CST on the 1st (at a fixed UTC-5 it would be 00:30 on the 2nd)
        "2026-11-02T06:00:00Z",  # 00:00 CST on the 2nd
    )
    assert _per_day(rows) == {dt.date(2026, 10, 31): 1, dt.date(2026, 11, 1): 4, dt.date(2026, 11, 2): 1}


def test_lockouts_resets_and_the_sso_share_count_on_the_same_org_day():
    rows = [
        event("2026-03-04T12:00:00Z", "login_success", "a", method="password"),  # 06:00 CST on the 4th
        event("2026-03-05T02:00:00Z", "login_success", "b", method="sso"),  # 20:00 CST on the 4th
        event("2026-03-05T03:00:00Z", "password_reset_requested", "c", token="t1"),  # 21:00 CST on the 4th
        # Five failures ending 23:59 CST on the 4th (05:59 UTC on the 5th): the lock began on the 4th.
        *failures("d", *[f"2026-03-05T05:5{m}:00Z" for m in range(5, 10)]),
        event("2026-03-05T07:00:00Z", "login_success", "e", method="sso"),  # 01:00 CST on the 5th
    ]
    got = {
        r["day"]: (r["logins"], r["sso_logins"], r["sso_share"], r["lockouts"], r["resets"])
        for r in _summary(rows)
    }
    assert got == {
        dt.date(2026, 3, 4): (2, 1, 0.5, 1, 1),
        dt.date(2026, 3, 5): (1, 1, 1.0, 0, 0),
    }


def test_the_days_are_those_of_the_zone_configured():
    # 07:00 UTC on March 5 is 01:00 on the 5th in Chicago but 23:00 on the 4th in Los Angeles (PST, UTC-8).
    rows = _failures_at("2026-03-05T07:00:00Z")
    assert _per_day(rows) == {dt.date(2026, 3, 5): 1}
    assert _per_day(rows, org_timezone="America/Los_Angeles") == {dt.date(2026, 3, 4): 1}


def test_a_zone_whose_midnight_falls_inside_a_utc_hour():
    # India is UTC+05:30: its midnight is at 18:30 UTC, so one UTC hour holds the end of one day and the start
    # of the next.
    rows = [
        event("2026-03-04T12:00:00Z", "login_success", "a", method="sso"),  # 17:30 IST on the 4th
        *_failures_at(
            "2026-03-04T18:29:00Z",  # 23:59 IST on the 4th
            "2026-03-04T18:30:00Z",  # 00:00 IST: the 5th begins
            "2026-03-04T18:45:00Z",  # 00:15 IST on the 5th
            "2026-03-05T02:00:00Z",  # 07:30 IST on the 5th
        ),
    ]
    got = {r["day"]: (r["logins"], r["failures"]) for r in _summary(rows, org_timezone="Asia/Kolkata")}
    assert got == {dt.date(2026, 3, 4): (1, 1), dt.date(2026, 3, 5): (0, 3)}


def test_a_clock_change_of_half_an_hour_in_the_middle_of_a_utc_hour():
    # Lord Howe Island is UTC+10:30 and puts its clocks forward by half an hour, 02:00 -> 02:30, on
    # 2026-10-04 (15:30 UTC on the 3rd); from then on it is UTC+11, so October 4 lasts 23.5 hours.
    rows = _failures_at(
        "2026-10-03T13:29:00Z",  # 23:59 on the 3rd (+10:30)
        "2026-10-03T13:30:00Z",  # 00:00 on the 4th
        "2026-10-03T15:20:00Z",  # 01:50 on the 4th, before the change
        "2026-10-03T15:40:00Z",  # 02:40 on the 4th, after it (+11:00)
        "2026-10-04T12:59:00Z",  # 23:59 on the 4th
        "2026-10-04T13:00:00Z",  # 00:00 on the 5th
    )
    assert _per_day(rows, org_timezone="Australia/Lord_Howe") == {
        dt.date(2026, 10, 3): 1,
        dt.date(2026, 10, 4): 4,
        dt.date(2026, 10, 5): 1,
    }
