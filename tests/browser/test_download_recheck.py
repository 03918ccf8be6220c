"""End to end in headless Chromium: a download re-checks the session when pressed. An employer's roster page
is drawn, then an administrator disables the account; pressing Download CSV on the page still open delivers no
file, and the refusal is in the audit log.

Snapshot: tests/browser/roster_snapshot.py (Acme E1).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.principal import Principal, Role
from tests.browser.roster_snapshot import publish_roster_snapshot
from tests.browser.support import eventually, settled, sign_in_and_change_password

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "payroll office passphrase 7"  # not "acme...": a password may not contain the username

pytestmark = pytest.mark.browser


def exports(settings) -> list[tuple[str, str | None]]:
    return [
        (r.action, r.detail)
        for r in reversed(audit.read(settings, ADMIN, actions=["export", "export_refused"]))
    ]


def test_a_user_disabled_after_the_page_was_drawn_cannot_download(serve_dashboard, browser_page):
    url, settings = serve_dashboard(publish_roster_snapshot)
    one_time = user_admin.create_user(settings, ADMIN, "acme.hr", Role.EMPLOYER, ("E1",))
    page = browser_page
    sign_in_and_change_password(page, url, "acme.hr", one_time, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Enrollment roster")).to_be_visible()
    settled(page)

    # the page is drawn, with its download buttons; now the administrator disables the account
    user_admin.set_disabled(settings, ADMIN, "acme.hr", True)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.locator(".st-key-roster_csv button").click()

    refused = eventually(lambda: exports(settings), lambda e: len(e) >= 1)
    assert refused == [("export_refused", "session ended: disabled")]
    time.sleep(2)  # give a (wrongly) delivered file time to arrive
    assert downloads == []
    # Streamlit's own words under the button (the refusal's reason is in the audit log, not in the browser)
    expect(page.get_by_text("Failed to generate file for download")).to_be_visible()
