"""The login-security rules (domain/login_security) run unchanged on Spark: hand-computed cases, same answers
as on DuckDB."""

from __future__ import annotations

import datetime as dt

import ibis

from domain.login_security import (
    Scratch,
    credential_stuffing,
    login_daily_summary,
    login_lockouts,
    reset_loops,
    reset_outcomes,
)
from tests.login_security.helpers import at, event, failures, staged, utc


def _rows(expr, order: list[str]) -> list[dict]:
    return expr.order_by(order).to_pyarrow().to_pylist()


def _both(rows: list[dict], on_spark, rule, order: list[str]) -> tuple[list[dict], list[dict]]:
    conn, events = staged(rows)
    with Scratch(ibis.duckdb.from_connection(conn)) as scratch:
        duck = _rows(rule(events, scratch), order)
    spark_events = on_spark(conn, "auth_events")
    with Scratch(spark_events._find_backend()) as scratch:
        spark = _rows(rule(spark_events, scratch), order)
        kept = list(scratch._names)
    assert kept == [] or not any(  # the intermediate tables are gone afterwards
        t.name in kept for t in spark_events._find_backend()._session.catalog.listTables()
    )
    return duck, spark


def _lockouts(events, scratch):
    return login_lockouts(events, scratch)


def test_a_lockout_with_attempts_while_locked_is_the_same_on_spark(on_spark):
    rows = [
        *failures(
            "alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")
        ),  # lock 09:04-09:34
        *failures("alice", at("09:10"), at("09:33")),  # two attempts while locked
        event(at("09:34"), "login_failure", "alice"),  # exactly when the lock ends: counts again
        *failures("bob", at("09:00"), at("09:01"), at("09:02"), at("09:03")),  # four: no lock
    ]
    duck, spark = _both(rows, on_spark, _lockouts, ["portal", "username", "locked_at"])
    assert (
        spark
        == duck
        == [
            {
                "portal": "ce_portal",
                "username": "alice",
                "locked_at": utc(at("09:04")),
                "failures": 5,
                "locked_until": utc(at("09:34")),
                "attempts_while_locked": 2,
            }
        ]
    )


def test_a_credential_stuffing_burst_is_the_same_on_spark(on_spark):
    start = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)
    rows = [
        event(
            (start + dt.timedelta(seconds=30 * i)).isoformat(),
            "login_failure",
            f"user{i:03d}",
            ip="203.0.113.9",
            failure_reason="unknown_user",
        )
        for i in range(20)  # 20 usernames, one every 30 s: within 9.5 minutes
    ]

    def bursts(events, _scratch):
        return credential_stuffing(events).select(
            "ip", "window_start", "window_end", "distinct_usernames", "failures"
        )

    duck, spark = _both(rows, on_spark, bursts, ["ip", "window_start"])
    assert (
        spark
        == duck
        == [
            {
                "ip": "203.0.113.9",
                "window_start": dt.datetime(2026, 3, 4, 2, 0),
                "window_end": dt.datetime(2026, 3, 4, 2, 9, 30),
                "distinct_usernames": 20,
                "failures": 20,
            }
        ]
    )


def test_reset_outcomes_and_a_reset_loop_are_the_same_on_spark(on_spark):
    rows = [
        event(at("08:00"), "password_reset_requested", "carol", token="t1"),
        event(at("08:10"), "password_reset_completed", "carol", token="t1"),  # in time
        event(at("09:00"), "password_reset_requested", "dan", token="t2"),
        event(at("09:45"), "password_reset_completed", "dan", token="t2"),  # 45 minutes: after expiry
        *[event(at(f"1{h}:00"), "password_reset_requested", "erin", token=f"e{h}") for h in range(3)],
    ]

    def outcomes(events, _scratch):
        return reset_outcomes(events).select("username", "reset_token", "outcome")

    duck, spark = _both(rows, on_spark, outcomes, ["username", "reset_token"])
    assert spark == duck
    assert [(r["username"], r["reset_token"], r["outcome"]) for r in spark] == [
        ("carol", "t1", "completed_in_time"),  # 10 minutes
        ("dan", "t2", "completed_after_expiry"),  # 45 minutes > 30
        ("erin", "e0", "abandoned"),
        ("erin", "e1", "abandoned"),
        ("erin", "e2", "abandoned"),
    ]

    def loops(events, _scratch):
        return reset_loops(events).select("portal", "username")

    duck, spark = _both(rows, on_spark, loops, ["portal", "username"])
    assert (
        spark == duck == [{"portal": "ce_portal", "username": "erin"}]
    )  # 3 requests in 24 h, no login after


def test_the_daily_summary_is_the_same_on_spark(on_spark):
    """Org days (America/Chicago) on both, whatever the Spark session's own zone (UTC in these tests)."""
    rows = [
        # 2026-03-04 23:30 in Chicago (-06:00) is 2026-03-05 05:30 UTC: it counts on the 4th.
        event("2026-03-04T23:30:00-06:00", "login_success", "a", method="sso"),
        event("2026-03-05T08:00:00Z", "login_success", "b", method="password"),  # 02:00 CST on the 5th
        *failures("e", *[f"2026-03-05T09:0{m}:00Z" for m in range(5)]),  # one lockout at 09:04
        event("2026-03-05T09:10:00Z", "password_reset_requested", "e", token="t1"),
        event("2026-03-04T20:00:00Z", "login_failure", "x", portal="health_plans"),
        # Around the spring-forward night: 23:59 CDT on March 8, then midnight CDT on the 9th.
        event("2026-03-09T04:59:00Z", "login_failure", "y", portal="patient_portal"),
        event("2026-03-09T05:00:00Z", "login_failure", "z", portal="patient_portal"),
    ]

    def summary(events, scratch):
        return login_daily_summary(events, login_lockouts(events, scratch), org_timezone="America/Chicago")

    duck, spark = _both(rows, on_spark, summary, ["portal", "day"])
    assert spark == duck
    assert [
        (r["portal"], r["day"], r["logins"], r["failures"], r["lockouts"], r["resets"], r["sso_share"])
        for r in spark
    ] == [
        ("ce_portal", dt.date(2026, 3, 4), 1, 0, 0, 0, 1.0),
        ("ce_portal", dt.date(2026, 3, 5), 1, 5, 1, 1, 0.0),
        ("health_plans", dt.date(2026, 3, 4), 0, 1, 0, 0, None),
        ("patient_portal", dt.date(2026, 3, 8), 0, 1, 0, 0, None),
        ("patient_portal", dt.date(2026, 3, 9), 0, 1, 0, 0, None),
    ]
