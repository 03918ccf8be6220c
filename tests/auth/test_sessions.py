import pytest
from sqlalchemy import select

from reports import audit, auth, user_admin
from reports.state import UserSession, transaction
from tests.auth.conftest import ADMIN, GOOD_PASSWORD


@pytest.fixture
def token(settings, clock, make_user) -> str:
    make_user("alice")
    return auth.sign_in(settings, "alice", GOOD_PASSWORD, clock=clock).token


def test_activity_keeps_the_session_alive_and_thirty_idle_minutes_end_it(settings, clock, token):
    clock.advance(minutes=29)
    auth.check_session(settings, token, clock=clock)
    clock.advance(minutes=29)  # 58 minutes after sign-in but only 29 after the last activity
    assert auth.check_session(settings, token, clock=clock).principal.username == "alice"
    clock.advance(minutes=30)
    with pytest.raises(auth.SessionEnded, match="after 30 minutes without activity") as ended:
        auth.check_session(settings, token, clock=clock)
    assert ended.value.reason == "idle"
    clock.advance(seconds=1)
    with pytest.raises(auth.SessionEnded):  # an ended session never comes back
        auth.check_session(settings, token, clock=clock)


def test_a_busy_session_still_ends_twelve_hours_after_sign_in(settings, clock, token):
    for _ in range(35):  # every 20 minutes: 35 * 20 min = 11 h 40 min
        clock.advance(minutes=20)
        auth.check_session(settings, token, clock=clock)
    clock.advance(minutes=19, seconds=59)  # 11:59:59 after sign-in
    auth.check_session(settings, token, clock=clock)
    clock.advance(seconds=1)  # 12:00:00
    with pytest.raises(auth.SessionEnded, match="12-hour limit") as ended:
        auth.check_session(settings, token, clock=clock)
    assert ended.value.reason == "expired"
    assert audit.read(settings, ADMIN, actions=["session_ended"])[0].detail == "expired"


def test_sign_out_ends_the_session_and_is_audited(settings, clock, token):
    auth.sign_out(settings, token, clock=clock)
    with pytest.raises(auth.SessionEnded) as ended:
        auth.check_session(settings, token, clock=clock)
    assert ended.value.reason == "signed_out"
    assert [r.action for r in audit.read(settings, ADMIN, actor="alice")] == ["sign_out", "sign_in"]


def test_disabling_a_user_ends_their_open_session(settings, clock, token):
    user_admin.set_disabled(settings, ADMIN, "alice", True, clock=clock)
    with pytest.raises(auth.SessionEnded, match="disabled"):
        auth.check_session(settings, token, clock=clock)


def test_only_a_digest_of_the_session_token_is_stored(settings, token):
    with transaction(settings) as s:
        stored = s.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1
    assert stored[0] != token and len(stored[0]) == 64
