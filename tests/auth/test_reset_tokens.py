import hashlib

import pytest
from sqlalchemy import select

from reports import auth
from reports.principal import NotPermitted, Principal, Role
from reports.state import ResetToken, transaction
from tests.auth.conftest import ADMIN, GOOD_PASSWORD

NEW = "a brand new password"


def test_a_reset_code_works_once(settings, clock, make_user):
    make_user("alice")
    code = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    assert auth.reset_password_with_token(settings, code, NEW, clock=clock) == "alice"
    assert auth.sign_in(settings, "alice", NEW, clock=clock)
    with pytest.raises(auth.ResetTokenInvalid):
        auth.reset_password_with_token(settings, code, "yet another password", clock=clock)


def test_a_reset_code_expires_thirty_minutes_after_it_was_issued(settings, clock, make_user):
    make_user("alice")
    make_user("bob")
    for_alice = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    for_bob = auth.issue_reset_token(settings, ADMIN, "bob", clock=clock)
    clock.advance(minutes=29, seconds=59)
    auth.reset_password_with_token(settings, for_alice, NEW, clock=clock)
    clock.advance(seconds=1)  # exactly 30 minutes
    with pytest.raises(auth.ResetTokenInvalid):
        auth.reset_password_with_token(settings, for_bob, NEW, clock=clock)
    assert auth.sign_in(settings, "bob", GOOD_PASSWORD, clock=clock)


def test_a_new_code_cancels_the_previous_one(settings, clock, make_user):
    make_user("alice")
    first = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    second = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    with pytest.raises(auth.ResetTokenInvalid):
        auth.reset_password_with_token(settings, first, NEW, clock=clock)
    auth.reset_password_with_token(settings, second, NEW, clock=clock)


def test_codes_are_stored_only_as_a_sha256_digest(settings, clock, make_user):
    make_user("alice")
    code = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    with transaction(settings) as s:
        stored = s.scalars(select(ResetToken.token_hash)).all()
    assert stored == [hashlib.sha256(code.encode()).hexdigest()]


def test_a_reset_clears_a_lockout(settings, clock, make_user):
    make_user("alice")
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    code = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    auth.reset_password_with_token(settings, code, NEW, clock=clock)
    assert auth.sign_in(settings, "alice", NEW, clock=clock)


def test_only_an_admin_issues_codes_and_a_weak_new_password_is_refused(settings, clock, make_user):
    make_user("alice")
    with pytest.raises(NotPermitted):
        auth.issue_reset_token(settings, Principal("alice", Role.STAFF, ("P0001",)), "alice", clock=clock)
    code = auth.issue_reset_token(settings, ADMIN, "alice", clock=clock)
    with pytest.raises(auth.PasswordRejected):
        auth.reset_password_with_token(settings, code, "short", clock=clock)
    auth.reset_password_with_token(
        settings, code, NEW, clock=clock
    )  # a refused attempt does not spend the code
