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
