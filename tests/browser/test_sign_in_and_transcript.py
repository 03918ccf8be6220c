"""End to end in headless Chromium: a new staff user signs in with their one-time password, changes it, opens
My transcript and downloads it as a PDF that carries their name and the totals shown on screen.

The dashboard is served exactly as ``portalytics dashboard`` serves it (``pipelines.serve.streamlit_command``)
on a free port, over a snapshot built by hand (tests/dashboard/published_marts.py).
"""

from __future__ import annotations

import io

import pypdf
import pytest
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.principal import Principal, Role
from tests.browser.support import sign_in_and_change_password
from tests.dashboard.published_marts import STAFF_ID, STAFF_NAME

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "a long new passphrase 42"

pytestmark = pytest.mark.browser


def test_staff_signs_in_changes_the_one_time_password_and_downloads_the_transcript_pdf(
    dashboard, browser_page
):
    url, settings = dashboard
    one_time = user_admin.create_user(settings, ADMIN, "zoe", Role.STAFF, STAFF_ID)

    page = browser_page
    sign_in_and_change_password(page, url, "zoe", one_time, NEW_PASSWORD)

    # The first page of a staff user is My transcript.
    expect(page.get_by_role("heading", name="My transcript")).to_be_visible()
    expect(page.get_by_text(f"{STAFF_NAME} · Complete History · 5 items")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename == "transcript_P0001_complete-history.pdf"
    saved = settings.root / download.value.suggested_filename
    download.value.save_as(saved)  # the browser's own copy goes when it closes

    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert f"Name: {STAFF_NAME}" in text
    # hours 1.00 + 1.50 + 4.00 + 2.50 = 9.00; ANCC 1.50 + 4.00 = 5.50 (see published_marts.TRANSCRIPT)
    for line in ("Hours 9.00", "Credits: AMA_PRA_1 1.50", "Credits: ANCC 5.50"):
        assert line in text

    log = [(r.action, r.target) for r in reversed(audit.read(settings, ADMIN))]
    assert "password_change" in [action for action, _ in log]
    assert log[-2:] == [("view", "transcript person P0001"), ("export", "transcript person P0001 pdf")]
