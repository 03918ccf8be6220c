"""Credential stuffing: one IP failing on 20+ distinct usernames within 10 minutes."""

from __future__ import annotations

import datetime as dt

from domain.login_security import credential_stuffing
from tests.login_security.helpers import event, rows_of, staged

START = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)


def _failures(
    ip: str, usernames: int, seconds_apart: float, *, first: int = 0, offset_s: float = 0
) -> list[dict]:
    return [
        event(
            (START + dt.timedelta(seconds=offset_s + i * seconds_apart)).isoformat(),
            "login_failure",
            f"user{first + i:03d}",
            ip=ip,
            failure_reason="unknown_user",
        )
        for i in range(usernames)
    ]


def _bursts(rows):
    _, events = staged(rows)
    return [
        (r["ip"], r["window_start"], r["window_end"], r["distinct_usernames"], r["failures"])
        for r in rows_of(credential_stuffing(events))
    ]


def test_twenty_usernames_within_ten_minutes_is_one_burst():
    # 20 usernames, one every 30 s: 00:00 .. 09:30 after START, 9.5 minutes. One row, not 20.
    assert _bursts(_failures("203.0.113.9", 20, 30)) == [
        ("203.0.113.9", dt.datetime(2026, 3, 4, 2, 0), dt.datetime(2026, 3, 4, 2, 9, 30), 20, 20)
    ]


def test_nineteen_usernames_is_not_stuffing():
    assert _bursts(_failures("203.0.113.9", 19, 30)) == []


def test_the_same_username_many_times_counts_once():
    rows = _failures("203.0.113.9", 19, 30) + _failures(
        "203.0.113.9", 1, 1, first=0, offset_s=300
    )  # user000 again
    assert _bursts(rows) == []


def test_the_twentieth_username_exactly_ten_minutes_after_the_first_is_within():
    # "within 10 minutes" is inclusive: 19 users in the first 9.5 min, the 20th at exactly +10:00.
    rows = _failures("198.51.100.7", 19, 30) + _failures("198.51.100.7", 1, 1, first=19, offset_s=600)
    assert _bursts(rows) == [
        ("198.51.100.7", dt.datetime(2026, 3, 4, 2, 0), dt.datetime(2026, 3, 4, 2, 10), 20, 20)
    ]


def test_twenty_usernames_spread_over_more_than_ten_minutes_are_not_a_burst():
    # 20 users one every 32 s: the 20th is 19 × 32 = 608 s = 10:08 after the first; no 10-minute window holds
    # 20.
    assert _bursts(_failures("198.51.100.7", 20, 32)) == []


def test_a_long_burst_is_one_row_and_other_ips_and_portals_are_separate():
    rows = [
        # 60 users one every 20 s: 19:40 long; every 10-minute window from a start in the first 9:40 holds 31.
        *_failures("192.0.2.1", 60, 20),
        # The same IP on another portal with only 10 users: below the bar there.
        *[{**r, "portal": "patient_portal"} for r in _failures("192.0.2.1", 10, 20, first=100)],
        # Another IP, 20 users: its own burst.
        *_failures("192.0.2.2", 20, 1),
    ]
    assert _bursts(rows) == [
        ("192.0.2.1", dt.datetime(2026, 3, 4, 2, 0), dt.datetime(2026, 3, 4, 2, 19, 40), 60, 60),
        ("192.0.2.2", dt.datetime(2026, 3, 4, 2, 0), dt.datetime(2026, 3, 4, 2, 0, 19), 20, 20),
    ]


def test_successful_logins_from_the_ip_are_not_failures():
    rows = _failures("203.0.113.9", 19, 30) + [
        event((START + dt.timedelta(seconds=100)).isoformat(), "login_success", "user500", ip="203.0.113.9")
    ]
    assert _bursts(rows) == []
