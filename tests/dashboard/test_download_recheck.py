"""A download re-checks the session when its button is pressed, not when the page was drawn.

The page is drawn while the session is fine; then the session goes bad (idle, lifetime, disabled, scope
changed) and the button is pressed: the file is not built, nothing is exported, and the refusal is audited.
"""

from datetime import timedelta

import pytest
from sqlalchemy import update

from reports import audit, auth, user_admin
from reports.clock import utc_now
from reports.principal import Role
from reports.state import User, UserSession, transaction
from tests.dashboard.fixtures import ADMIN
from tests.dashboard.published_marts import STAFF_ID, capture_downloads, publish_snapshot

XLSX_FILE = "transcript_P0001_complete-history.xlsx"
TARGET = "transcript person P0001 xlsx"


@pytest.fixture
def drawn(settings, signed_in_as, monkeypatch):
    """zoe's transcript page, drawn; the captured download callables by file name."""
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    signed_in_as("zoe", Role.STAFF, (STAFF_ID,))
    return downloads


def exports(settings):
    return [
        (r.action, r.target, r.detail)
        for r in reversed(audit.read(settings, ADMIN, actions=["export", "export_refused"]))
    ]


def test_a_valid_session_downloads_and_the_export_is_audited(drawn, settings):
    assert drawn[XLSX_FILE]()[:2] == b"PK"  # an xlsx (zip) file
    assert exports(settings) == [("export", TARGET, "Complete History")]


def test_a_user_disabled_after_the_page_was_drawn_cannot_download(drawn, settings):
    user_admin.set_disabled(settings, ADMIN, "zoe", True)
    with pytest.raises(auth.DownloadRefused, match="This account is disabled"):
        drawn[XLSX_FILE]()
    assert exports(settings) == [("export_refused", TARGET, "session ended: disabled")]


def test_an_idle_session_cannot_download(drawn, settings):
    with transaction(settings) as s:  # the last activity was 31 minutes ago
        s.execute(update(UserSession).values(last_seen_at=utc_now() - timedelta(minutes=31)))
    with pytest.raises(auth.DownloadRefused, match="after 30 minutes without activity"):
        drawn[XLSX_FILE]()
    assert exports(settings) == [("export_refused", TARGET, "session ended: idle")]


def test_a_session_past_its_lifetime_cannot_download(drawn, settings):
    with transaction(settings) as s:
        s.execute(update(UserSession).values(created_at=utc_now() - timedelta(hours=12)))
    with pytest.raises(auth.DownloadRefused, match="12-hour limit"):
        drawn[XLSX_FILE]()
    assert exports(settings) == [("export_refused", TARGET, "session ended: expired")]


def test_a_signed_out_session_cannot_download(drawn, settings, app):
    auth.sign_out(settings, app.session_state["portalytics_session_token"])
    with pytest.raises(auth.DownloadRefused, match="You signed out"):
        drawn[XLSX_FILE]()
    assert exports(settings) == [("export_refused", TARGET, "session ended: signed_out")]


def test_a_scope_changed_after_the_page_was_drawn_cannot_download(drawn, settings):
    with transaction(settings) as s:
        s.execute(update(User).where(User.username == "zoe").values(scope=["P0002"]))
    with pytest.raises(auth.DownloadRefused, match="Your access changed"):
        drawn[XLSX_FILE]()
    assert exports(settings) == [("export_refused", TARGET, "role or scope changed since the page was drawn")]
