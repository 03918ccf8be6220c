"""The security view's reads: admins only, narrowed by portal and UTC dates."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.login_security.marts import AUTH_EVENTS_ASSETS
from reports.login_security import reads as security
from reports.principal import NotPermitted, Principal, Role
from tests.login_security.helpers import event, failures
from tests.support import create_staging_table

ADMIN = Principal("sec", Role.ADMIN)

ROWS = [
    *failures("alice", *[f"2026-03-04T09:0{m}:00Z" for m in range(5)]),  # ce_portal lock on the 4th
    *failures(
        "bob", *[f"2026-03-06T09:0{m}:00Z" for m in range(5)], portal="health_plans"
    ),  # lock on the 6th
    event("2026-03-04T10:00:00Z", "login_success", "alice", method="sso"),
    event("2026-03-05T10:00:00Z", "login_success", "alice", method="password"),
    event("2026-03-05T11:00:00Z", "password_reset_requested", "carol", token="t1"),
    event("2026-03-05T12:00:00Z", "password_reset_completed", "carol", token="t1"),  # 60 min: after expiry
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("security") / "warehouse.duckdb")
    with duckdb.connect(path) as c:
        create_staging_table(c, "auth_events", ROWS)
    assert dg.materialize(AUTH_EVENTS_ASSETS, resources={"duckdb": DuckDBResource(database=path)}).success
    with duckdb.connect(path, read_only=True) as c:
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
    assert list(security.login_lockouts(ADMIN, conn).username) == ["bob", "alice"]
    assert list(security.login_lockouts(ADMIN, conn, portal="ce_portal").username) == ["alice"]
    assert list(security.login_lockouts(ADMIN, conn, start=dt.date(2026, 3, 5)).username) == ["bob"]
    assert list(security.login_lockouts(ADMIN, conn, end=dt.date(2026, 3, 5)).username) == ["alice"]


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
    ]
