"""The router and the session cookie (AppTest): a sign-in has the browser store the cookie, a new browser
session resumes from it, an ended or altered one signs nobody in, and a page asked for signed out opens after
the sign-in when the role may see it.

AppTest cannot send a cookie, so ``dashboard.session.browser_cookie`` (what the browser sent) is replaced; the
browser tests (tests/browser/test_session_cookie.py) send real ones.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from dashboard import session
from dashboard.session_routes import END_PATH, START_PATH
from reports import audit, auth, session_cookie
from reports.clock import utc_now
from reports.principal import Role
from reports.state import UserSession, transaction
from tests.dashboard.fixtures import ADMIN, PASSWORD, fill_sign_in, titles


def cookie_requests(app) -> list[str]:
    """The cookie route each ``st.html`` of the last run asks the browser to POST to."""
    return [path for h in app.html for path in re.findall(r'fetch\("([^"]+)"', h.value)]


def ticket_drawn(app) -> str:
    [body] = [h.value for h in app.html]
    return re.search(r"ticket=([A-Za-z0-9_-]+)", body).group(1)


@pytest.fixture
def browser_sends(monkeypatch):
    """``browser_sends(value)``: from now on the browser's requests carry this session cookie."""

    def send(value: str | None) -> None:
        monkeypatch.setattr(session, "browser_cookie", lambda: value)

    return send


def test_a_sign_in_has_the_browser_store_a_cookie_for_this_session_once(app, make_user):
    make_user("sam", Role.STAFF, ("P0001",))
    fill_sign_in(app.run(), "sam", PASSWORD)
    assert titles(app) == ["My transcript"]
    assert cookie_requests(app) == [START_PATH]
    # the ticket in the page stands for this tab's session, and only once
    token = app.session_state["portalytics_session_token"]
    ticket = ticket_drawn(app)
    assert token not in app.html[0].value  # the session token itself never reaches the page
    assert session_cookie.tickets.redeem(ticket) == token
    assert session_cookie.tickets.redeem(ticket) is None
    app.run()
    assert cookie_requests(app) == []  # asked for once, not on every rerun


def test_a_new_browser_session_with_the_cookie_is_signed_in_without_a_new_sign_in(
    app, make_user, settings, browser_sends
):
    make_user("sam", Role.STAFF, ("P0001",))
    token = auth.sign_in(settings, "sam", PASSWORD).token
    browser_sends(session_cookie.cookie_value(settings, token))
    app.run()
    assert not app.exception
    assert titles(app) == ["My transcript"]
    assert cookie_requests(app) == []  # the browser has it already
    assert [r.action for r in audit.read(settings, ADMIN, actor="sam")] == [
        "sign_in"
    ]  # one sign-in, one session
    with transaction(settings) as s:
        assert s.query(UserSession).count() == 1


def test_a_cookie_of_a_signed_out_session_signs_nobody_in_and_is_cleared(
    app, make_user, settings, browser_sends
):
    make_user("sam", Role.STAFF, ("P0001",))
    token = auth.sign_in(settings, "sam", PASSWORD).token
    auth.sign_out(settings, token)  # e.g. in another tab
    browser_sends(session_cookie.cookie_value(settings, token))
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == ["You signed out. Please sign in again."]
    assert cookie_requests(app) == [END_PATH]
    app.run()  # the same cookie is not tried (nor the message repeated) on every rerun
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == []


def test_a_cookie_of_an_idle_session_signs_nobody_in(app, make_user, settings, browser_sends):
    make_user("sam", Role.STAFF, ("P0001",))
    token = auth.sign_in(settings, "sam", PASSWORD).token
    with transaction(settings) as s:  # the last activity was 31 minutes ago
        s.execute(update(UserSession).values(last_seen_at=utc_now() - timedelta(minutes=31)))
    browser_sends(session_cookie.cookie_value(settings, token))
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == [
        "You were signed out after 30 minutes without activity. Please sign in again."
    ]


def test_an_altered_cookie_signs_nobody_in(app, make_user, settings, browser_sends):
    make_user("sam", Role.STAFF, ("P0001",))
    token = auth.sign_in(settings, "sam", PASSWORD).token
    browser_sends(token)  # the bare token without the signature
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert cookie_requests(app) == [END_PATH]


def test_sign_out_ends_the_session_and_has_the_browser_clear_the_cookie(app, signed_in_as, settings):
    signed_in_as("sam", Role.STAFF, ("P0001",))
    token = app.session_state["portalytics_session_token"]
    app.switch_page("views/everyone/account.py").run()
    app.button(key="signout").click().run()
    assert titles(app) == ["Sign in to portalytics"]
    assert cookie_requests(app) == [END_PATH]
    assert not auth.session_is_open(settings, token)


def test_a_page_asked_for_while_signed_out_opens_after_the_sign_in(app, signed_in_as, settings, make_user):
    """Staff on My certificates is signed out by the idle timeout; the sign-in form answers at that address,
    and signing in again opens My certificates, not the landing page. Someone whose role lacks the page lands
    on their own first page."""
    signed_in_as("sam", Role.STAFF, ("P0001",))
    app.switch_page("views/staff/certificates.py").run()
    assert titles(app) == ["My certificates"]
    with transaction(settings) as s:
        s.execute(update(UserSession).values(last_seen_at=utc_now() - timedelta(minutes=31)))
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert not app.exception  # no "Page not found": the address answers with the sign-in form
    fill_sign_in(app, "sam", PASSWORD)
    assert titles(app) == ["My certificates"]

    with transaction(settings) as s:  # idle again, and a CE colleague signs in at the same address
        s.execute(update(UserSession).values(last_seen_at=utc_now() - timedelta(minutes=31)))
    app.run()
    make_user("cora", Role.CE_TEAM)
    fill_sign_in(app, "cora", PASSWORD)
    assert not app.exception
    assert titles(app) == ["Duplicate queue"]
