"""The lockout and single-use secrets hold under real parallelism: threads of one process (how Streamlit
serves
browser tabs) and separate processes (several dashboard servers on one state store).

Every worker waits at a barrier first, so the attempts really overlap; before the counter became one atomic
UPDATE, 12 parallel wrong passwords left ``failed_attempts = 1`` and no lock.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from domain.settings import Settings
from reports import audit, auth, user_admin
from reports.state import dispose_engines, transaction
from reports.state.db import get_engine
from reports.state.models import User
from tests.auth.conftest import ADMIN, GOOD_PASSWORD

THREADS = 12
PROCESSES = 6


def outcome(call) -> str:
    try:
        call()
    except auth.AuthError as exc:
        return type(exc).__name__
    return "ok"


def in_threads(n: int, call) -> list[str]:
    """Run ``call(i)`` in n threads released together; the outcome of each."""
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        barrier.wait()
        return outcome(lambda: call(i))

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _process_worker(data_dir, task, args, barrier, results) -> None:
    settings = Settings(data_dir=data_dir)
    get_engine(settings)  # open the store before the barrier, so only the attempts themselves overlap
    barrier.wait()
    if task == "sign_in":
        results.put(outcome(lambda: auth.sign_in(settings, *args)))
    else:
        results.put(outcome(lambda: auth.reset_password_with_token(settings, *args)))


def in_processes(settings: Settings, task: str, args_of) -> list[str]:
    """Run the task in PROCESSES forked processes released together; the outcome of each.

    Forked, not spawned: a fresh interpreter re-imports the whole test session (a minute on a loaded machine).
    Each child opens its own connections (the parent's pool is closed first, SQLite handles must not cross).
    """
    dispose_engines()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    workers = [
        ctx.Process(target=_process_worker, args=(settings.data_dir, task, args_of(i), barrier, results))
        for i in range(PROCESSES)
    ]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    return outcomes


def failed_attempts(settings, username: str) -> int:
    with transaction(settings) as s:
        return s.scalar(select(User.failed_attempts).where(User.username == username))


def audit_actions(settings, actor: str) -> list[str]:
    return [r.action for r in audit.read(settings, ADMIN, actor=actor, limit=10_000)]


def test_parallel_wrong_passwords_in_threads_are_all_counted_and_lock_once(settings, make_user):
    make_user("alice")
    outcomes = in_threads(THREADS, lambda i: auth.sign_in(settings, "alice", f"wrong guess number {i}"))

    # 12 refused, all with the one message of the form
    assert sorted(set(outcomes)) in (["AccountLocked", "InvalidCredentials"], ["AccountLocked"])
    assert failed_attempts(settings, "alice") == THREADS
    acted = audit_actions(settings, "alice")
    assert acted.count("lockout") == 1
    assert acted.count("sign_in_failed") + acted.count("sign_in_refused") == THREADS
    # and the lock holds: the right password is refused now
    assert outcome(lambda: auth.sign_in(settings, "alice", GOOD_PASSWORD)) == "AccountLocked"


def test_four_parallel_wrong_passwords_count_four_and_do_not_lock(settings, make_user):
    make_user("alice")
    assert (
        in_threads(4, lambda i: auth.sign_in(settings, "alice", f"wrong guess number {i}"))
        == ["InvalidCredentials"] * 4
    )
    assert failed_attempts(settings, "alice") == 4
    # one more (the fifth in a row) locks
    assert outcome(lambda: auth.sign_in(settings, "alice", "wrong guess five")) == "AccountLocked"


def test_parallel_wrong_passwords_in_processes_are_all_counted(settings, make_user):
    make_user("alice")
    outcomes = in_processes(settings, "sign_in", lambda i: ("alice", f"wrong guess number {i}"))
    assert len(outcomes) == PROCESSES and "ok" not in outcomes
    assert failed_attempts(settings, "alice") == PROCESSES
    assert audit_actions(settings, "alice").count("lockout") == 1


def test_a_reset_code_redeems_exactly_once_in_parallel_threads(settings, make_user):
    make_user("bob")
    code = auth.issue_reset_token(settings, ADMIN, "bob")
    outcomes = in_threads(
        THREADS, lambda i: auth.reset_password_with_token(settings, code, f"parallel new passphrase {i}")
    )
    assert outcomes.count("ok") == 1
    assert outcomes.count("ResetTokenInvalid") == THREADS - 1
    winner = outcomes.index("ok")
    assert auth.sign_in(settings, "bob", f"parallel new passphrase {winner}")
    assert audit_actions(settings, "bob").count("password_reset") == 1


def test_a_reset_code_redeems_exactly_once_in_parallel_processes(settings, make_user):
    make_user("bob")
    code = auth.issue_reset_token(settings, ADMIN, "bob")
    outcomes = in_processes(settings, "reset", lambda i: (code, f"parallel new passphrase {i}"))
    assert outcomes.count("ok") == 1
    assert outcomes.count("ResetTokenInvalid") == PROCESSES - 1


def test_a_one_time_password_is_redeemed_exactly_once_in_parallel(settings, clock, make_user):
    one_time = make_user("carol", one_time=True)
    token = auth.sign_in(settings, "carol", one_time, clock=clock).token
    outcomes = in_threads(
        THREADS,
        lambda i: auth.change_password(
            settings, token, one_time, f"parallel new passphrase {i}", clock=clock
        ),
    )
    assert outcomes.count("ok") == 1
    assert outcomes.count("PasswordRejected") == THREADS - 1
    winner = outcomes.index("ok")
    assert outcome(lambda: auth.sign_in(settings, "carol", one_time, clock=clock)) == "InvalidCredentials"
    assert not auth.sign_in(
        settings, "carol", f"parallel new passphrase {winner}", clock=clock
    ).must_change_password
    assert audit_actions(settings, "carol").count("password_change") == 1


def test_the_admin_sees_the_lock_the_form_does_not_name(settings, make_user):
    make_user("alice")
    in_threads(5, lambda i: auth.sign_in(settings, "alice", f"wrong guess number {i}"))
    (alice,) = user_admin.list_users(settings, ADMIN)
    assert alice.status(auth.utc_now()) == "locked" and alice.failed_attempts == 5
