"""The session-cookie routes served beside the app: a ticket buys the cookie once, only from the page
itself."""

import logging

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.session_routes import END_PATH, START_PATH, routes
from reports import auth, session_cookie
from reports.principal import Role
from tests.dashboard.fixtures import PASSWORD

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def token(settings, make_user) -> str:
    make_user("sam", Role.STAFF, ("P0001",))
    return auth.sign_in(settings, "sam", PASSWORD).token


def client(base_url: str = "http://testserver") -> TestClient:
    return TestClient(Starlette(routes=routes()), base_url=base_url)


def set_cookie_attributes(response) -> tuple[str, set[str]]:
    name_value, *attributes = [part.strip() for part in response.headers["set-cookie"].split(";")]
    return name_value, {
        a.split("=")[0].lower() + ("=" + a.split("=")[1].lower() if "=" in a else "") for a in attributes
    }


def test_a_ticket_buys_an_httponly_strict_cookie_holding_the_signed_session_token_once(settings, token):
    ticket = session_cookie.tickets.issue(token)
    answer = client().post(START_PATH, data={"ticket": ticket}, headers=SAME_ORIGIN)
    assert answer.status_code == 204
    assert answer.headers["cache-control"] == "no-store"
    name_value, attributes = set_cookie_attributes(answer)
    name, value = name_value.split("=", 1)
    assert name == "portalytics_session"
    assert session_cookie.token_from_cookie(settings, value) == token
    # plain HTTP: not Secure; no Max-Age or Expires: the cookie ends with the browser
    assert attributes == {"httponly", "samesite=strict", "path=/"}

    again = client().post(START_PATH, data={"ticket": ticket}, headers=SAME_ORIGIN)
    assert again.status_code == 403
    assert "set-cookie" not in again.headers


def test_over_tls_the_cookie_is_secure(settings, token):
    ticket = session_cookie.tickets.issue(token)
    answer = client("https://reports.example.org").post(
        START_PATH, data={"ticket": ticket}, headers=SAME_ORIGIN
    )
    assert answer.status_code == 204
    assert "secure" in set_cookie_attributes(answer)[1]


def test_another_site_cannot_plant_a_session_cookie(settings, token):
    ticket = session_cookie.tickets.issue(token)
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site too
        {"Origin": "https://evil.example"},  # an old browser: no Sec-Fetch-Site, a foreign Origin
        {},  # neither header: not a request of the page
    ):
        answer = client().post(START_PATH, data={"ticket": ticket}, headers=headers)
        assert answer.status_code == 403, headers
        assert "set-cookie" not in answer.headers
    # refused before the ticket was looked at: the page's own request still works
    same_host = client().post(START_PATH, data={"ticket": ticket}, headers={"Origin": "http://testserver"})
    assert same_host.status_code == 204


def test_an_unknown_ticket_buys_nothing(settings):
    answer = client().post(START_PATH, data={"ticket": "guessed"}, headers=SAME_ORIGIN)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_the_cookie_is_cleared_once_its_session_has_ended_and_kept_while_it_is_alive(settings, token):
    browser = client()
    browser.cookies.set("portalytics_session", session_cookie.cookie_value(settings, token))
    alive = browser.post(END_PATH, headers=SAME_ORIGIN)
    assert alive.status_code == 204
    assert "set-cookie" not in alive.headers  # another tab's newer session is not signed out by an old tab

    auth.sign_out(settings, token)
    ended = browser.post(END_PATH, headers=SAME_ORIGIN)
    name_value, attributes = set_cookie_attributes(ended)
    assert name_value == 'portalytics_session=""'
    assert "max-age=0" in attributes

    tampered = client()
    tampered.cookies.set("portalytics_session", "not-a-signed-token")
    assert "max-age=0" in set_cookie_attributes(tampered.post(END_PATH, headers=SAME_ORIGIN))[1]


def test_neither_the_session_token_nor_the_ticket_reaches_a_log(settings, token, caplog):
    caplog.set_level(logging.DEBUG)
    ticket = session_cookie.tickets.issue(token)
    browser = client()
    browser.post(START_PATH, data={"ticket": ticket}, headers=SAME_ORIGIN)
    browser.post(START_PATH, data={"ticket": ticket}, headers=SAME_ORIGIN)  # refused replay
    forged = client()
    forged.cookies.set("portalytics_session", token)  # refused: unsigned
    forged.post(END_PATH, headers=SAME_ORIGIN)
    assert "cookie refused: bad signature" in caplog.text  # the refusal is logged, without the value
    assert token not in caplog.text
    assert ticket not in caplog.text
