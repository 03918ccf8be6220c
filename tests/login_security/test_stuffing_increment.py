"""Stuffing bursts after a new file of events: sources (ip, portal) with a new failure are recomputed over
their whole history, the others keep their rows, and the mart equals a rebuild over all events."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.login_security import (
    LoginSecurityPolicy,
    Scratch,
    credential_stuffing,
    stuffing_after_new_events,
)
from tests.login_security.helpers import at, event, rows_of, utc
from tests.support import create_staging_table

POLICY = LoginSecurityPolicy(stuffing_usernames=3, stuffing_minutes=10)


def _after(old: list[dict], new: list[dict], policy=POLICY) -> tuple[list[dict], list[dict]]:
    """(incremental, rebuilt) bursts once ``new`` joins ``old``."""
    conn = duckdb.connect()
    create_staging_table(conn, "auth_events", [*old, *new])
    backend = ibis.duckdb.from_connection(conn)
    events = backend.table("auth_events", database="staging")
    new_ids = [e["event_id"] for e in new]
    conn.execute("CREATE SCHEMA marts")
    before = credential_stuffing(events.filter(~events.event_id.isin(new_ids)), policy)
    conn.execute(f"CREATE TABLE marts.credential_stuffing AS {ibis.to_sql(before, dialect='duckdb')}")
    with Scratch(backend) as scratch:
        previous = backend.table("credential_stuffing", database="marts")
        expr = stuffing_after_new_events(
            previous, events, events.filter(events.event_id.isin(new_ids)), scratch, policy
        )
        sql = ibis.to_sql(expr, dialect="duckdb")
        conn.execute(f"CREATE OR REPLACE TABLE marts.credential_stuffing AS {sql}")
    incremental = conn.execute("SELECT * FROM marts.credential_stuffing").df().to_dict("records")
    rebuilt = rows_of(credential_stuffing(events, policy))
    return incremental, rebuilt


def _fail(hhmm: str, user: str, ip: str, portal: str = "ce_portal") -> dict:
    return event(at(hhmm), "login_failure", user, ip=ip, portal=portal)


def _bursts(rows: list[dict]) -> list[tuple]:
    return [(r["ip"], r["window_start"], r["window_end"], r["distinct_usernames"]) for r in rows]


def test_a_late_failure_joins_its_sources_burst_and_other_sources_keep_theirs():
    old = [
        _fail("03:00", "u1", "ip-a"),
        _fail("03:04", "u2", "ip-a"),
        _fail("03:06", "u3", "ip-a"),  # ip-a: 3 users within 10 minutes from 03:00
        _fail("05:00", "v1", "ip-b"),
        _fail("05:01", "v2", "ip-b"),
        _fail("05:02", "v3", "ip-b"),  # ip-b: 05:00-05:02
    ]
    # a late file: ip-a also failed on u4 at 03:12 (within 10 minutes of 03:04: the burst reaches it), and a
    # success on ip-b, which changes nothing (only failures make bursts)
    new = [_fail("03:12", "u4", "ip-a"), event(at("05:01"), "login_success", "v9", ip="ip-b")]
    incremental, rebuilt = _after(old, new)
    assert _bursts(incremental) == [
        ("ip-a", utc(at("03:00")), utc(at("03:12")), 4),
        ("ip-b", utc(at("05:00")), utc(at("05:02")), 3),
    ]
    assert incremental == rebuilt


def test_a_new_day_starts_a_burst_on_a_source_that_had_none_and_the_same_ip_elsewhere_is_its_own():
    old = [
        _fail("09:00", "a", "ip-c"),
        _fail("09:01", "b", "ip-c"),
        _fail("09:02", "x", "ip-c", "health_plans"),
    ]
    new = [_fail("09:05", "c", "ip-c")]  # the CE portal now has 3 users; the health plan portal still one
    incremental, rebuilt = _after(old, new)
    assert _bursts(incremental) == [("ip-c", utc(at("09:00")), utc(at("09:05")), 3)]
    assert incremental == rebuilt


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ip-a", "ip-b", None]),
            st.sampled_from(["ce_portal", "health_plans"]),
            st.sampled_from(["u1", "u2", "u3", "u4"]),
            st.integers(0, 60),
            st.sampled_from([True, True, True, False]),  # failed
            st.booleans(),  # arrives in the new file
        ),
        max_size=40,
    )
)
def test_equals_a_rebuild_whatever_the_new_file_holds(attempts):
    start = dt.datetime(2026, 3, 4, 3, 0, tzinfo=dt.UTC)
    old, new = [], []
    for ip, portal, user, minute, failed, late in attempts:
        when = (start + dt.timedelta(minutes=minute)).isoformat()
        row = event(when, "login_failure" if failed else "login_success", user, ip=ip, portal=portal)
        (new if late else old).append(row)
    incremental, rebuilt = _after(old, new)
    key = ("ip", "portal", "window_start")
    assert sorted(incremental, key=lambda r: tuple(str(r[k]) for k in key)) == sorted(
        rebuilt, key=lambda r: tuple(str(r[k]) for k in key)
    )
