"""Lockouts after a new file of events: accounts the file touches are recomputed over their whole history,
the others keep their rows, and the mart equals a rebuild over all events."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.login_security import LoginSecurityPolicy, Scratch, lockouts_after_new_events, login_lockouts
from tests.login_security.helpers import at, event, failures, rows_of, utc
from tests.support import create_staging_table


def _after(old: list[dict], new: list[dict], policy=None) -> tuple[list[dict], list[dict]]:
    """(incremental, rebuilt) lockouts once ``new`` joins ``old``."""
    conn = duckdb.connect()
    create_staging_table(conn, "auth_events", [*old, *new])
    backend = ibis.duckdb.from_connection(conn)
    events = backend.table("auth_events", database="staging")
    new_ids = [e["event_id"] for e in new]
    with Scratch(backend) as scratch:
        conn.execute("CREATE SCHEMA marts")
        before = login_lockouts(events.filter(~events.event_id.isin(new_ids)), scratch, policy)
        conn.execute(f"CREATE TABLE marts.login_lockouts AS {ibis.to_sql(before, dialect='duckdb')}")
        previous = backend.table("login_lockouts", database="marts")
        expr = lockouts_after_new_events(
            previous, events, events.filter(events.event_id.isin(new_ids)), scratch, policy
        )
        conn.execute(f"CREATE OR REPLACE TABLE marts.login_lockouts AS {ibis.to_sql(expr, dialect='duckdb')}")
        incremental = conn.execute("SELECT * FROM marts.login_lockouts").df().to_dict("records")
        rebuilt = rows_of(login_lockouts(events, scratch, policy))
    return incremental, rebuilt


def _times(rows: list[dict]) -> list[tuple[str, dt.datetime]]:
    return [(r["username"], r["locked_at"]) for r in rows]


def test_a_late_event_moves_its_accounts_lock_and_leaves_other_accounts_alone():
    old = [
        *failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")),  # locked 09:04
        *failures("bob", at("10:00"), at("10:01"), at("10:02"), at("10:03"), at("10:04")),  # locked 10:04
    ]
    # A late file: alice had a success at 09:02:30, so her count restarts and 09:04 is only her 2nd failure.
    new = [event("2026-03-04T09:02:30+00:00", "login_success", "alice")]
    incremental, rebuilt = _after(old, new)
    assert _times(incremental) == [("bob", utc(at("10:04")))]
    assert incremental == rebuilt


def test_a_new_day_adds_a_lock_to_an_account_that_had_none():
    old = [*failures("alice", at("09:00"), at("09:01"), at("09:02"))]
    new = [*failures("alice", at("09:03"), at("09:04")), *failures("carol", at("11:00"))]
    incremental, rebuilt = _after(old, new)
    assert _times(incremental) == [("alice", utc(at("09:04")))]
    assert incremental == rebuilt


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob", "carol"]),
            st.integers(0, 300),
            st.sampled_from([True, True, True, False]),  # failed
            st.booleans(),  # arrives in the new file
        ),
        max_size=50,
    )
)
def test_equals_a_rebuild_whatever_the_new_file_holds(attempts):
    policy = LoginSecurityPolicy(lock_minutes=30)
    start = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    seen = {(user, minute): (failed, late) for user, minute, failed, late in attempts}  # one per minute
    old, new = [], []
    for (user, minute), (failed, late) in sorted(seen.items()):
        kind = "login_failure" if failed else "login_success"
        (new if late else old).append(event((start + dt.timedelta(minutes=minute)).isoformat(), kind, user))
    incremental, rebuilt = _after(old, new, policy)
    assert incremental == rebuilt
