from datetime import timedelta

from sqlalchemy import update

from reports import audit
from reports.clock import utc_now
from reports.principal import Role
from reports.state import User, UserSession, transaction
from tests.dashboard.fixtures import ADMIN, PASSWORD, fill_sign_in, titles


def test_signed_out_visitors_see_only_the_sign_in_page(app):
    app.run()
    assert not app.exception
    assert titles(app) == ["Sign in to portalytics"]


def test_right_password_lands_on_the_roles_first_page(app, make_user, settings):
    make_user("erin", Role.EDUCATION_MANAGER, ("ICU",))
    fill_sign_in(app.run(), "erin", PASSWORD)
    assert not app.exception
    assert titles(app) == ["Compliance"]
    assert [r.action for r in audit.read(settings, ADMIN, actor="erin")] == ["sign_in"]


def test_wrong_password_shows_the_plain_message(app, make_user):
    make_user("erin", Role.EDUCATION_MANAGER, ("ICU",))
    fill_sign_in(app.run(), "erin", "not my password")
    assert [e.value for e in app.error] == ["Invalid username or password."]
    assert titles(app) == ["Sign in to portalytics"]


def test_a_locked_account_an_unknown_user_and_a_wrong_password_read_alike(app, make_user, settings):
    make_user("erin", Role.EDUCATION_MANAGER, ("ICU",))
    app.run()
    for _ in range(5):  # the fifth locks
        fill_sign_in(app, "erin", "not my password")
        assert [e.value for e in app.error] == ["Invalid username or password."]
    fill_sign_in(app, "erin", PASSWORD)  # the right password does not get past the lock ...
    assert [e.value for e in app.error] == ["Invalid username or password."]  # ... and does not say why
    assert titles(app) == ["Sign in to portalytics"]
    fill_sign_in(app, "nobody-here", PASSWORD)
    assert [e.value for e in app.error] == ["Invalid username or password."]

    # the lock is recorded for the administrator
    acted = [(r.action, r.detail) for r in reversed(audit.read(settings, ADMIN, actor="erin"))]
    assert acted[-2:] == [("lockout", acted[-2][1]), ("sign_in_refused", "account locked (6)")]
    assert acted[-2][1].startswith("until ")


def test_one_time_password_must_be_changed_before_any_page(app, make_user):
    one_time = make_user("sam", Role.STAFF, ("P0001",), one_time=True)
    fill_sign_in(app.run(), "sam", one_time)
    assert titles(app) == ["Choose a new password"]
    # No other page is registered, so it cannot be reached even by address.
    for view in ("views/staff/transcript.py", "views/everyone/account.py"):
        try:
            app.switch_page(view)
        except ValueError:
            continue
        raise AssertionError(f"{view} reachable before the one-time password was changed")

    app.text_input(key="pw_current").input(one_time)
    app.text_input(key="pw_new").input("short")
    app.text_input(key="pw_confirm").input("short")
    app.button(key="pw_submit").click().run()
    assert [e.value for e in app.error] == ["Use at least 12 characters."]
    assert titles(app) == ["Choose a new password"]

    app.text_input(key="pw_current").input(one_time)
    app.text_input(key="pw_new").input("my very own password")
    app.text_input(key="pw_confirm").input("my very own password")
    app.button(key="pw_submit").click().run()
    assert titles(app) == ["My transcript"]


def test_an_idle_session_is_signed_out_on_the_next_rerun(app, signed_in_as, settings):
    signed_in_as("sam", Role.STAFF, ("P0001",))
    assert titles(app) == ["My transcript"]
    with transaction(settings) as s:  # the last activity was 31 minutes ago
        s.execute(update(UserSession).values(last_seen_at=utc_now() - timedelta(minutes=31)))
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == [
        "You were signed out after 30 minutes without activity. Please sign in again."
    ]


def test_sign_out_from_the_account_page(app, signed_in_as, settings):
    signed_in_as("sam", Role.STAFF, ("P0001",))
    app.switch_page("views/everyone/account.py").run()
    assert titles(app) == ["Account"]
    app.button(key="signout").click().run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == ["You signed out."]
    assert [r.action for r in audit.read(settings, ADMIN, actor="sam")] == ["sign_out", "sign_in"]


def test_an_expired_one_time_password_is_named_at_the_form(app, make_user, settings):
    one_time = make_user("sam", Role.STAFF, ("P0001",), one_time=True)
    with transaction(settings) as s:  # issued 73 hours ago
        s.execute(update(User).values(password_changed_at=utc_now() - timedelta(hours=73)))
    fill_sign_in(app.run(), "sam", one_time)
    assert [e.value for e in app.error] == [
        "Your one-time password has expired (one-time passwords work for 72 hours). "
        "Ask an administrator for a new one."
    ]
    assert titles(app) == ["Sign in to portalytics"]


def test_a_breached_password_is_refused_with_the_reason(app, make_user):
    one_time = make_user("sam", Role.STAFF, ("P0001",), one_time=True)
    fill_sign_in(app.run(), "sam", one_time)
    app.text_input(key="pw_current").input(one_time)
    app.text_input(key="pw_new").input("Password123!")
    app.text_input(key="pw_confirm").input("Password123!")
    app.button(key="pw_submit").click().run()
    assert [e.value for e in app.error] == [
        "This password is too easy to guess: it is, or is close to, a password found in public lists of "
        "breached passwords. Use a longer phrase of unrelated words."
    ]
    assert titles(app) == ["Choose a new password"]
