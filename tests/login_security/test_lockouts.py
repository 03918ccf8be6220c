"""Lockouts: five consecutive failures lock an account for 30 minutes (domain-rules.md "Login security")."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.login_security import LoginSecurityPolicy
from tests.login_security.helpers import at, event, failures, lockouts_of, utc


def test_five_consecutive_failures_lock_the_account_for_thirty_minutes():
    locks = lockouts_of(failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")))
    assert locks == [
        {
            "portal": "ce_portal",
            "username": "alice",
            "locked_at": utc(at("09:04")),  # the 5th failure
            "failures": 5,
            "locked_until": utc(at("09:34")),  # 09:04 + 30 min
            "attempts_while_locked": 0,
        }
    ]


def test_four_failures_do_not_lock():
    assert lockouts_of(failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"))) == []


def test_a_success_resets_the_count():
    # 3 failures, a success, then 4 failures: never 5 in a row, so no lock.
    rows = [
        *failures("alice", at("09:00"), at("09:01"), at("09:02")),
        event(at("09:03"), "login_success"),
        *failures("alice", at("09:04"), at("09:05"), at("09:06"), at("09:07")),
    ]
    assert lockouts_of(rows) == []
    # One more failure makes it 5 since the success: locked at 09:08.
    locks = lockouts_of([*rows, *failures("alice", at("09:08"))])
    assert [lock["locked_at"] for lock in locks] == [utc(at("09:08"))]


def test_attempts_while_locked_do_not_extend_the_lock_nor_count_toward_the_next():
    rows = [
        *failures(
            "alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")
        ),  # lock 09:04-09:34
        *failures(
            "alice", at("09:10"), at("09:20"), at("09:30"), at("09:31"), at("09:33")
        ),  # 5 locked attempts
        *failures("alice", at("09:40"), at("09:41"), at("09:42"), at("09:43")),  # only 4 after the lock ends
    ]
    locks = lockouts_of(rows)
    # Had the locked attempts counted, 09:10 ... 09:33 would be a second lock; had they extended the lock, it
    # would end at 10:03 and the 09:40s would be locked too.
    assert len(locks) == 1
    assert locks[0]["locked_until"] == utc(at("09:34"))
    assert locks[0]["attempts_while_locked"] == 5


def test_a_success_during_the_lock_is_a_locked_attempt_and_counting_restarts_after_the_lock():
    rows = [
        *failures(
            "alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")
        ),  # lock 09:04-09:34
        event(at("09:05"), "login_success"),  # refused: locked
        *failures("alice", at("09:35"), at("09:36"), at("09:37"), at("09:38"), at("09:39")),  # 5 after: lock
    ]
    locks = lockouts_of(rows)
    assert [(lock["locked_at"], lock["attempts_while_locked"]) for lock in locks] == [
        (utc(at("09:04")), 1),
        (utc(at("09:39")), 0),
    ]


def test_an_attempt_exactly_when_the_lock_ends_is_no_longer_locked():
    # Lock at 09:04 ends at 09:34. The lock is half-open [09:04, 09:34): at 09:34 the account is open again,
    # so the 09:34 failure is #1 of a new count and 09:34..09:38 is a second lock at 09:38.
    rows = [
        *failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")),
        *failures("alice", at("09:34"), at("09:35"), at("09:36"), at("09:37"), at("09:38")),
    ]
    locks = lockouts_of(rows)
    assert [(lock["locked_at"], lock["attempts_while_locked"]) for lock in locks] == [
        (utc(at("09:04")), 0),
        (utc(at("09:38")), 0),
    ]


def test_an_attempt_one_second_before_the_lock_ends_is_still_locked():
    # Same as above but the first retry is at 09:33:59: locked, so only 4 failures count after 09:34: no 2nd
    # lock.
    rows = [
        *failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")),
        *failures("alice", "2026-03-04T09:33:59+00:00", at("09:35"), at("09:36"), at("09:37"), at("09:38")),
    ]
    locks = lockouts_of(rows)
    assert [(lock["locked_at"], lock["attempts_while_locked"]) for lock in locks] == [(utc(at("09:04")), 1)]


def test_events_in_different_utc_offsets_are_ordered_by_their_utc_instant():
    # The same five minutes written in three offsets: 15:00Z = 09:00-06:00 (Chicago winter) = 10:00-05:00.
    # In UTC they are 15:00, 15:01, 15:02, 15:03, 15:04: five consecutive failures. Read as local wall-clock
    # times they would be out of order and the success at 15:02:30Z would break the run.
    rows = [
        *failures(
            "bob", "2026-03-04T09:00:00-06:00", "2026-03-04T10:01:00-05:00", "2026-03-04T15:02:00+00:00"
        ),
        *failures("bob", "2026-03-04T16:03:00+01:00", "2026-03-04T09:04:00-06:00"),
        event("2026-03-04T15:05:00Z", "login_success", "bob"),  # after the lock: refused, counted as locked
    ]
    locks = lockouts_of(rows)
    assert [(lock["username"], lock["locked_at"], lock["attempts_while_locked"]) for lock in locks] == [
        ("bob", dt.datetime(2026, 3, 4, 15, 4), 1)
    ]


def test_accounts_are_per_portal_and_username():
    rows = [
        *failures("alice", at("09:00"), at("09:01"), at("09:02")),
        *failures("alice", at("09:03"), at("09:04"), portal="learning_center"),  # another account
        *failures("carol", at("09:05"), at("09:06")),
    ]
    assert lockouts_of(rows) == []


def test_a_long_attack_locks_once_per_lock_period():
    # One failure per minute for 3 hours (180 failures). Each cycle: 5 failures lock (minutes k..k+4), the
    # lock covers 30 minutes (k+4 .. k+34), the attempt at k+34 starts the next count. Cycle = 34 minutes:
    # locks at minutes 4, 38, 72, 106, 140, 174 (174 + 34 = 208 > 179, so no 7th).
    start = dt.datetime(2026, 3, 4, 0, 0, tzinfo=dt.UTC)
    times = [(start + dt.timedelta(minutes=m)).isoformat() for m in range(180)]
    locks = lockouts_of(failures("mallory", *times))
    assert [
        int((lock["locked_at"] - start.replace(tzinfo=None)).total_seconds() // 60) for lock in locks
    ] == [
        4,
        38,
        72,
        106,
        140,
        174,
    ]
    # Inside each full lock: minutes k+5 .. k+33 = 29 attempts; the last lock (174) has only minutes 175..179.
    assert [lock["attempts_while_locked"] for lock in locks] == [29, 29, 29, 29, 29, 5]


def test_the_policy_numbers_are_honoured():
    policy = LoginSecurityPolicy(max_failures=3, lock_minutes=10)
    locks = lockouts_of(failures("alice", at("09:00"), at("09:01"), at("09:02")), policy)
    assert [(lock["failures"], lock["locked_until"]) for lock in locks] == [(3, utc(at("09:12")))]


# ---------------------------------------------------------------- against a plain sequential reading of the
# rule


def _reference_lockouts(
    attempts: list[tuple[int, bool]], policy: LoginSecurityPolicy
) -> list[tuple[int, int]]:
    """The rule read literally, one attempt at a time: [(locked_at minute, attempts while locked)]."""
    locks: list[list[int]] = []
    count, locked_until = 0, None
    for minute, failed in attempts:
        if locked_until is not None and minute < locked_until:
            locks[-1][1] += 1
            continue
        locked_until = None
        if not failed:
            count = 0
            continue
        count += 1
        if count == policy.max_failures:
            locks.append([minute, 0])
            locked_until, count = minute + policy.lock_minutes, 0
    return [tuple(lock) for lock in locks]


@settings(max_examples=40, deadline=None)
# Mostly failures (4 in 5), so most examples lock at least once and many lock several times.
@given(
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from([True, True, True, True, False])), max_size=60)
)
def test_matches_the_sequential_reading_of_the_rule(attempts):
    policy = LoginSecurityPolicy(lock_minutes=30)
    # One attempt per minute at most, so the event order is the time order (ties are ordered by event_id).
    attempts = sorted({minute: failed for minute, failed in attempts}.items())
    start = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    rows = [
        event((start + dt.timedelta(minutes=m)).isoformat(), "login_failure" if failed else "login_success")
        for m, failed in attempts
    ]
    got = [
        (
            int((lock["locked_at"] - start.replace(tzinfo=None)).total_seconds() // 60),
            lock["attempts_while_locked"],
        )
        for lock in lockouts_of(rows, policy)
    ]
    assert got == _reference_lockouts(attempts, policy)


@settings(max_examples=40, deadline=None)
# Three accounts interleaved in time, each mostly failures: some reach a lock, some stay below max_failures
# failures in all, whose attempts the rule leaves out before its windows.
@given(
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["alice", "bob", "carol"]),
            st.sampled_from([True, True, True, False]),
        ),
        max_size=24,
    )
)
def test_every_account_matches_the_sequential_reading_whatever_the_others_do(attempts):
    policy = LoginSecurityPolicy(lock_minutes=20)
    start = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    by_account: dict[str, dict[int, bool]] = {}
    for minute, user, failed in attempts:
        by_account.setdefault(user, {})[minute] = failed
    rows = [
        event(
            (start + dt.timedelta(minutes=m)).isoformat(),
            "login_failure" if failed else "login_success",
            user,
        )
        for user, seen in by_account.items()
        for m, failed in seen.items()
    ]
    got: dict[str, list[tuple[int, int]]] = {}
    for lock in lockouts_of(rows, policy):
        minute = int((lock["locked_at"] - start.replace(tzinfo=None)).total_seconds() // 60)
        got.setdefault(lock["username"], []).append((minute, lock["attempts_while_locked"]))
    expected = {user: _reference_lockouts(sorted(seen.items()), policy) for user, seen in by_account.items()}
    assert got == {user: locks for user, locks in expected.items() if locks}
