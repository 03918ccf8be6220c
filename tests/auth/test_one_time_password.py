import pytest

from reports import audit, auth, user_admin
from tests.auth.conftest import ADMIN

NEW = "my own new password"


def test_one_time_password_must_be_changed_then_stops_working(settings, clock, make_user):
    one_time = make_user("bob", one_time=True)
    signed_in = auth.sign_in(settings, "bob", one_time, clock=clock)
    assert signed_in.must_change_password
    assert auth.check_session(settings, signed_in.token, clock=clock).must_change_password

    auth.change_password(settings, signed_in.token, one_time, NEW, clock=clock)
    assert not auth.check_session(settings, signed_in.token, clock=clock).must_change_password
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "bob", one_time, clock=clock)
    assert not auth.sign_in(settings, "bob", NEW, clock=clock).must_change_password
    assert "password_change" in [r.action for r in audit.read(settings, ADMIN, actor="bob")]


def test_change_refuses_a_wrong_current_password_a_short_one_and_the_same_one(settings, clock, make_user):
    one_time = make_user("bob", one_time=True)
    token = auth.sign_in(settings, "bob", one_time, clock=clock).token
    with pytest.raises(auth.PasswordRejected, match="current password is not correct"):
        auth.change_password(settings, token, "not the one-time one", NEW, clock=clock)
    with pytest.raises(auth.PasswordRejected, match="at least 12 characters"):
        auth.change_password(settings, token, one_time, "short", clock=clock)
    with pytest.raises(auth.PasswordRejected, match="different from the current"):
        auth.change_password(settings, token, one_time, one_time, clock=clock)
    assert auth.check_session(settings, token, clock=clock).must_change_password


def test_admin_reset_issues_a_new_one_time_password_and_ends_sessions(settings, clock, make_user):
    make_user("bob")
    token = auth.sign_in(settings, "bob", "correct horse battery", clock=clock).token
    one_time = user_admin.reset_with_one_time_password(settings, ADMIN, "bob", clock=clock)
    with pytest.raises(auth.SessionEnded):
        auth.check_session(settings, token, clock=clock)
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "bob", "correct horse battery", clock=clock)
    assert auth.sign_in(settings, "bob", one_time, clock=clock).must_change_password


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(settings, clock, make_user):
    make_user("bob")
    here = auth.sign_in(settings, "bob", "correct horse battery", clock=clock).token
    elsewhere = auth.sign_in(settings, "bob", "correct horse battery", clock=clock).token
    auth.change_password(settings, here, "correct horse battery", NEW, clock=clock)
    auth.check_session(settings, here, clock=clock)
    with pytest.raises(auth.SessionEnded, match="changed in another session"):
        auth.check_session(settings, elsewhere, clock=clock)


def test_a_one_time_password_expires_after_72_hours_and_the_admin_can_issue_another(
    settings, clock, make_user
):
    one_time = make_user("bob", one_time=True)  # issued 2025-01-06 14:00 UTC
    clock.advance(hours=71, minutes=59)
    assert auth.sign_in(settings, "bob", one_time, clock=clock).must_change_password
    clock.advance(minutes=1)  # 72 hours after it was issued
    with pytest.raises(auth.OneTimePasswordExpired) as expired:
        auth.sign_in(settings, "bob", one_time, clock=clock)
    assert str(expired.value) == (
        "Your one-time password has expired (one-time passwords work for 72 hours). "
        "Ask an administrator for a new one."
    )
    # a wrong password still reads as one: the expiry is only told to the holder of the password
    with pytest.raises(auth.InvalidCredentials):
        auth.sign_in(settings, "bob", "some other guess", clock=clock)
    (bob,) = user_admin.list_users(settings, ADMIN)
    assert bob.status(clock()) == "one-time password expired"
    assert "one-time password expired" in [r.detail for r in audit.read(settings, ADMIN, actor="bob")]

    fresh = user_admin.reset_with_one_time_password(settings, ADMIN, "bob", clock=clock)
    token = auth.sign_in(settings, "bob", fresh, clock=clock).token
    auth.change_password(settings, token, fresh, NEW, clock=clock)
    assert not auth.sign_in(settings, "bob", NEW, clock=clock).must_change_password


def test_a_session_opened_with_a_one_time_password_cannot_change_it_once_it_expired(
    settings, clock, make_user
):
    one_time = make_user("bob", one_time=True)
    clock.advance(hours=71, minutes=45)
    token = auth.sign_in(settings, "bob", one_time, clock=clock).token
    clock.advance(minutes=20)  # the session is still alive, the one-time password is not
    with pytest.raises(auth.OneTimePasswordExpired):
        auth.change_password(settings, token, one_time, NEW, clock=clock)


def test_the_lifetime_is_a_setting(settings, clock, make_user):
    short = settings.model_copy(update={"one_time_password_hours": 1})
    one_time = make_user("bob", one_time=True)
    clock.advance(hours=1)
    with pytest.raises(auth.OneTimePasswordExpired, match="work for 1 hours"):
        auth.sign_in(short, "bob", one_time, clock=clock)


def test_a_common_password_is_refused_as_the_new_one(settings, clock, make_user):
    one_time = make_user("bob", one_time=True)
    token = auth.sign_in(settings, "bob", one_time, clock=clock).token
    with pytest.raises(auth.PasswordRejected, match="found in public lists of breached passwords"):
        auth.change_password(settings, token, one_time, "Password123!", clock=clock)
    with pytest.raises(auth.PasswordRejected, match="Do not include your username"):
        auth.change_password(settings, token, one_time, "bob is my new login", clock=clock)
