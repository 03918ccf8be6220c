"""The session cookie's value: the session token, signed; refused when altered, foreign or too old."""

import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.settings import Settings
from reports import audit, auth, session_cookie
from reports.clock import utc_now
from reports.state import UserSession, transaction
from tests.auth.conftest import ADMIN, GOOD_PASSWORD


@pytest.fixture
def token(settings, make_user) -> str:
    make_user("alice")
    return auth.sign_in(settings, "alice", GOOD_PASSWORD).token


def test_the_cookie_carries_the_session_token_and_nothing_else(settings, token):
    value = session_cookie.cookie_value(settings, token)
    carried, signed_at, signature = value.rsplit(".", 2)
    assert carried == token  # no username, role or scope: those stay on the server
    assert signed_at and signature
    assert session_cookie.token_from_cookie(settings, value) == token


def test_an_altered_cookie_is_refused(settings, token, make_user):
    value = session_cookie.cookie_value(settings, token)
    carried, signed_at, signature = value.rsplit(".", 2)
    make_user("mallory")
    other = auth.sign_in(settings, "mallory", GOOD_PASSWORD).token
    # the first character: the last one of unpadded base64 carries spare bits, and a change there can
    # decode to the same signature bytes (CI once flipped "B" to "A" and the cookie stayed valid)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for forged in (
        f"{other}.{signed_at}.{signature}",  # someone else's token under alice's signature
        f"{carried}.{signed_at}.{flipped}",  # the signature touched
        carried,  # the bare token, unsigned
        "",
        "ünïcode.x.y",
    ):
        assert session_cookie.token_from_cookie(settings, forged) is None, forged


def test_a_cookie_signed_with_another_dashboards_key_is_refused(settings, token, tmp_path):
    elsewhere = Settings(data_dir=tmp_path / "elsewhere")
    value = session_cookie.cookie_value(elsewhere, token)
    assert session_cookie.token_from_cookie(elsewhere, value) == token
    assert session_cookie.token_from_cookie(settings, value) is None


def test_a_cookie_older_than_a_session_can_live_is_refused(settings, token):
    value = session_cookie.cookie_value(settings, token)
    # sessions live 12 hours (PORTALYTICS_SESSION_LIFETIME_HOURS)
    soon = lambda: utc_now() + timedelta(hours=11, minutes=59)  # noqa: E731
    late = lambda: utc_now() + timedelta(hours=12, seconds=1)  # noqa: E731
    assert session_cookie.token_from_cookie(settings, value, clock=soon) == token
    assert session_cookie.token_from_cookie(settings, value, clock=late) is None


def test_the_signing_key_is_made_once_and_private(settings):
    first = session_cookie.cookie_key(settings)
    assert session_cookie.cookie_key(settings) == first
    assert len(first) == 64  # 32 random bytes, hex
    path = settings.keys_dir / session_cookie.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.keys_dir.stat().st_mode) == 0o700


def test_a_ticket_is_redeemed_once_and_only_within_a_minute(clock):
    book = session_cookie.TicketBook()
    ticket = book.issue("session-token", clock=clock)
    assert book.redeem(ticket, clock=clock) == "session-token"
    assert book.redeem(ticket, clock=clock) is None  # single use
    assert book.redeem("a guessed ticket", clock=clock) is None

    late = book.issue("session-token", clock=clock)
    clock.advance(seconds=60)
    assert book.redeem(late, clock=clock) is None


def test_sign_out_makes_the_cookie_useless(settings, token):
    value = session_cookie.cookie_value(settings, token)
    assert auth.session_is_open(settings, token)
    auth.sign_out(settings, token)
    # the signature still verifies, but the server-side session it names has ended
    resumed = session_cookie.token_from_cookie(settings, value)
    assert not auth.session_is_open(settings, resumed)
    with pytest.raises(auth.SessionEnded) as ended:
        auth.check_session(settings, resumed)
    assert ended.value.reason == "signed_out"


def test_asking_whether_a_session_is_open_is_not_activity(settings, clock, make_user):
    make_user("alice")
    token = auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock).token
    clock.advance(minutes=29)
    assert auth.session_is_open(settings, token, clock=clock)
    clock.advance(minutes=2)  # 31 minutes since the sign-in: the question above did not count as activity
    assert not auth.session_is_open(settings, token, clock=clock)
    with transaction(settings) as s:
        row = s.scalar(select(UserSession))
        assert row.ended_at is None  # nor does it end the session: check_session does that, audited
    with pytest.raises(auth.SessionEnded) as ended:
        auth.check_session(settings, token, clock=clock)
    assert ended.value.reason == "idle"
    assert [r.action for r in audit.read(settings, ADMIN, actor="alice")] == ["session_ended", "sign_in"]
