"""The security view's reads: admins only, narrowed by portal and the organisation's calendar days
(America/Chicago: CST is UTC-6 in early March)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from assets.common import RunSettings
from assets.login_security.marts import AUTH_EVENTS_ASSETS
from assets.warehouse import open_warehouse
from domain.org_time import day_bounds_utc
from reports.login_security import reads as security
from reports.principal import NotPermitted, Principal, Role
from tests.login_security.helpers import event, failures
from tests.support import create_staging_table

ADMIN = Principal("sec", Role.ADMIN)
PP = "patient_portal"

ROWS = [
    *failures("alice", *[f"2026-03-04T09:0{m}:00Z" for m in range(5)]),  # ce_portal lock on the 4th
    *failures(
        "bob", *[f"2026-03-06T09:0{m}:00Z" for m in range(5)], portal="health_plans"
    ),  # lock on the 6th
    event("2026-03-04T10:00:00Z", "login_success", "alice", method="sso"),
    event("2026-03-05T10:00:00Z", "login_success", "alice", method="password"),
    event("2026-03-05T11:00:00Z", "password_reset_requested", "carol", token="t1"),
    event("2026-03-05T12:00:00Z", "password_reset_completed", "carol", token="t1"),  # 60 min: after expiry
    # dave's lock begins at 05:30 UTC on the 7th, 23:30 CST on the 6th: an org-day-6 lock.
    *failures("dave", *[f"2026-03-07T05:2{m}:00Z" for m in range(6, 10)], "2026-03-07T05:30:00Z", portal=PP),
    # erin's link asked for at 05:00 UTC on the 6th (23:00 CST on the 5th), used 60 min later: after expiry.
    event("2026-03-06T05:00:00Z", "password_reset_requested", "erin", portal=PP, token="t2"),
    event("2026-03-06T06:00:00Z", "password_reset_completed", "erin", portal=PP, token="t2"),
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("security") / "warehouse.duckdb")
    with open_warehouse(path) as c:
        create_staging_table(c, "auth_events", ROWS)
    resources = {"duckdb": DuckDBResource(database=path), "run_settings": RunSettings()}
    assert dg.materialize(AUTH_EVENTS_ASSETS, resources=resources).success
    with open_warehouse(path, read_only=True) as c:
        yield c


READS = [
    security.login_lockouts,
    security.reset_outcomes,
    security.reset_loops,
    security.credential_stuffing,
    security.login_daily_summary,
    security.security_overview,
]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
@pytest.mark.parametrize("read", READS, ids=lambda f: f.__name__)
def test_only_admins_may_read_login_security(conn, role, read):
    with pytest.raises(NotPermitted):
        read(Principal("someone", role, ("x",)), conn)


def test_lockouts_newest_first_and_narrowed_by_portal_and_dates(conn):
    assert list(security.login_lockouts(ADMIN, conn).username) == ["dave", "bob", "alice"]
    assert list(security.login_lockouts(ADMIN, conn, portal="ce_portal").username) == ["alice"]
    assert list(security.login_lockouts(ADMIN, conn, start=dt.date(2026, 3, 5)).username) == ["dave", "bob"]
    assert list(security.login_lockouts(ADMIN, conn, end=dt.date(2026, 3, 5)).username) == ["alice"]


def test_the_days_asked_are_org_days_for_every_read(conn):
    march_6 = {"start": dt.date(2026, 3, 6), "end": dt.date(2026, 3, 6)}
    # dave's lock (05:30 UTC on the 7th) is on the 6th in Chicago; nothing locked on the 7th there.
    assert list(security.login_lockouts(ADMIN, conn, **march_6).username) == ["dave", "bob"]
    assert security.login_lockouts(ADMIN, conn, start=dt.date(2026, 3, 7)).empty
    # The trend counts the same days: 2 lockouts on the 6th, as the table lists.
    daily = security.login_daily_summary(ADMIN, conn, **march_6)
    assert list(daily[["portal", "day", "failures", "lockouts"]].itertuples(index=False, name=None)) == [
        ("health_plans", dt.date(2026, 3, 6), 5, 1),
        (PP, dt.date(2026, 3, 6), 5, 1),
    ]
    # erin's link, asked for at 23:00 CST on the 5th, is a March 5 reset in the table and in the overview.
    march_5 = {"start": dt.date(2026, 3, 5), "end": dt.date(2026, 3, 5)}
    assert list(security.reset_outcomes(ADMIN, conn, portal=PP, **march_5).reset_token) == ["t2"]
    assert security.reset_outcomes(ADMIN, conn, portal=PP, **march_6).empty
    overview = security.security_overview(ADMIN, conn, **march_5).set_index("portal")
    assert overview.loc[PP, ["resets", "expired_resets_completed"]].tolist() == [1, 1]
    overview = security.security_overview(ADMIN, conn, **march_6).set_index("portal")
    assert overview.loc[PP, ["failures", "lockouts", "resets", "expired_resets_completed"]].tolist() == [
        5,
        1,
        0,
        0,
    ]
    # Another zone's days, when asked: in Los Angeles (PST, UTC-8) dave's lock was at 21:30 on the 6th, bob's
    # (09:04 UTC on the 6th) at 01:04 on the 6th.
    los_angeles = security.login_lockouts(ADMIN, conn, **march_6, org_timezone="America/Los_Angeles")
    assert list(los_angeles.username) == ["dave", "bob"]
    tokyo = security.login_lockouts(ADMIN, conn, **march_6, org_timezone="Asia/Tokyo")  # UTC+9
    assert list(tokyo.username) == ["bob"]  # dave's 05:30 UTC on the 7th is 14:30 on the 7th in Tokyo


def test_org_days_are_the_utc_instants_they_run_between_23_and_25_hour_days_too():
    chicago = "America/Chicago"
    assert day_bounds_utc(dt.date(2026, 3, 4), dt.date(2026, 3, 5), chicago) == (
        dt.datetime(2026, 3, 4, 6),  # midnight CST
        dt.datetime(2026, 3, 6, 6),
    )
    # March 8 springs forward: 23 hours, from midnight CST to midnight CDT.
    assert day_bounds_utc(dt.date(2026, 3, 8), dt.date(2026, 3, 8), chicago) == (
        dt.datetime(2026, 3, 8, 6),
        dt.datetime(2026, 3, 9, 5),
    )
    # November 1 falls back: 25 hours, from midnight CDT to midnight CST.
    assert day_bounds_utc(dt.date(2026, 11, 1), dt.date(2026, 11, 1), chicago) == (
        dt.datetime(2026, 11, 1, 5),
        dt.datetime(2026, 11, 2, 6),
    )
    assert day_bounds_utc(None, None, chicago) == (None, None)


def test_an_unknown_portal_is_a_clear_error(conn):
    with pytest.raises(ValueError, match="unknown portal 'intranet'"):
        security.login_lockouts(ADMIN, conn, portal="intranet")


def test_overview_sums_the_range_per_portal(conn):
    frame = security.security_overview(ADMIN, conn)
    got = frame.astype(object).where(frame.notna(), None).to_dict("records")
    assert got == [
        # ce_portal: 2 logins (1 SSO: 0.5), 5 failures, 1 lockout, 1 reset request whose completion came late.
        {
            "portal": "ce_portal",
            "logins": 2,
            "failures": 5,
            "lockouts": 1,
            "resets": 1,
            "sso_share": 0.5,
            "reset_loops": 0,
            "stuffing_bursts": 0,
            "expired_resets_completed": 1,
        },
        {
            "portal": "health_plans",
            "logins": 0,
            "failures": 5,
            "lockouts": 1,
            "resets": 0,
            "sso_share": None,
            "reset_loops": 0,
            "stuffing_bursts": 0,
            "expired_resets_completed": 0,
        },
        # patient_portal: dave's 5 failures and lock, erin's reset request completed after expiry.
        {
            "portal": PP,
            "logins": 0,
            "failures": 5,
            "lockouts": 1,
            "resets": 1,
            "sso_share": None,
            "reset_loops": 0,
            "stuffing_bursts": 0,
            "expired_resets_completed": 1,
        },
    ]
