import pytest

from reports import audit, auth, user_admin
from reports.principal import Principal, Role
from tests.auth.conftest import ADMIN, GOOD_PASSWORD


def actions(settings):
    return [r.action for r in reversed(audit.read(settings, ADMIN))]


def test_right_password_signs_in_with_role_and_scope_and_is_audited(settings, clock, make_user):
    make_user("Alice", Role.EMPLOYER, ("E042",))
    signed_in = auth.sign_in(settings, " alice ", GOOD_PASSWORD, clock=clock)
    assert signed_in.principal == Principal("alice", Role.EMPLOYER, ("E042",))
    assert not signed_in.must_change_password
    assert actions(settings) == ["user_add", "sign_in"]


def test_wrong_password_and_unknown_user_get_the_same_message(settings, clock, make_user):
    make_user("alice")
    with pytest.raises(auth.InvalidCredentials) as wrong:
        auth.sign_in(settings, "alice", "not the password", clock=clock)
    with pytest.raises(auth.InvalidCredentials) as unknown:
        auth.sign_in(settings, "mallory", GOOD_PASSWORD, clock=clock)
    assert str(wrong.value) == str(unknown.value) == "Invalid username or password."
    assert actions(settings) == ["user_add", "sign_in_failed", "sign_in_failed"]


def test_fifth_consecutive_failure_locks_for_fifteen_minutes(settings, clock, make_user):
    make_user("alice")
    for _ in range(4):
        with pytest.raises(auth.InvalidCredentials):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    with pytest.raises(auth.AccountLocked) as locked:
        auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    # The form says what it says to any wrong password; the lock itself is for the audit log and the admin.
    assert str(locked.value) == "Invalid username or password."
    # Locked at 14:00 UTC + 15 min = 14:15 UTC = 08:15 CST (UTC-6 in January).
    assert "locked after 5 failed sign-ins until 2025-01-06 08:15 CST" in locked.value.lock_message
    assert actions(settings)[-2:] == ["sign_in_failed", "lockout"]
    # The audit row says the same time, in the zone the audit log page shows every time in.
    assert audit.read(settings, ADMIN)[0].detail == "until 2025-01-06 08:15 CST"

    clock.advance(minutes=14, seconds=59)
    with pytest.raises(auth.AccountLocked):  # even the right password is refused while locked
        auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)

    clock.advance(seconds=1)  # 15 minutes after the lock
    assert auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock).principal.username == "alice"


def test_after_a_lock_runs_out_one_failure_does_not_lock_again(settings, clock, make_user):
    make_user("alice")
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    clock.advance(minutes=15)
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "alice", "wrong password!", clock=clock)


def test_a_success_resets_the_count_so_failures_must_be_consecutive(settings, clock, make_user):
    make_user("alice")
    for _ in range(4):
        with pytest.raises(auth.InvalidCredentials):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)
    for _ in range(4):  # 4 + 4 failures, but never 5 in a row
        with pytest.raises(auth.InvalidCredentials):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)


def test_admin_unlock_lets_the_user_in_at_once(settings, clock, make_user):
    make_user("alice")
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    user_admin.unlock_user(settings, ADMIN, "alice", clock=clock)
    assert auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)
    assert "user_unlock" in actions(settings)


def test_disabled_account_says_so_only_to_the_right_password(settings, clock, make_user):
    make_user("alice")
    user_admin.set_disabled(settings, ADMIN, "alice", True, clock=clock)
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "alice", "wrong password!", clock=clock)
    with pytest.raises(auth.AccountDisabled, match="disabled"):
        auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)
    user_admin.set_disabled(settings, ADMIN, "alice", False, clock=clock)
    assert auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock)


def test_organization_id_maps_the_email_to_an_existing_users_role(settings, clock, make_user):
    make_user("ce.lead", Role.CE_TEAM, (), email="CE.Lead@Example.org")
    signed_in = auth.sign_in_with_organization_id(
        settings, "ce.lead@example.org", email_verified=True, clock=clock
    )
    assert signed_in.principal == Principal("ce.lead", Role.CE_TEAM, ())
    with pytest.raises(auth.NoDashboardAccount):
        auth.sign_in_with_organization_id(settings, "stranger@example.org", email_verified=True, clock=clock)


def test_no_password_or_token_reaches_the_application_log(settings, clock, make_user, caplog):
    caplog.set_level("DEBUG")
    one_time = make_user("bob", one_time=True)
    signed_in = auth.sign_in(settings, "bob", one_time, clock=clock)
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "bob", "a wrong guess here", clock=clock)
    assert "bob" in caplog.text
    for secret in (one_time, signed_in.token, "a wrong guess here"):
        assert secret not in caplog.text


def test_organization_id_needs_a_verified_email_and_never_matches_a_username(settings, clock, make_user):
    make_user("ce.lead", Role.CE_TEAM, (), email="ce.lead@example.org")
    make_user("boss@example.org", Role.ADMIN, ())  # a username that looks like an e-mail, no e-mail set
    with pytest.raises(auth.EmailNotVerified, match="did not confirm that this e-mail address is verified"):
        auth.sign_in_with_organization_id(settings, "ce.lead@example.org", email_verified=False, clock=clock)
    with pytest.raises(auth.NoDashboardAccount):
        auth.sign_in_with_organization_id(settings, "boss@example.org", email_verified=True, clock=clock)
    refused = [(r.action, r.detail) for r in audit.read(settings, ADMIN) if r.action.startswith("sign_in")]
    assert refused == [
        ("sign_in_failed", "organization id without dashboard account"),
        ("sign_in_refused", "organization id e-mail not verified"),
    ]
