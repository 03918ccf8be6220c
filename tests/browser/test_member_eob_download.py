"""End to end in headless Chromium: a subscriber signs in, opens My deductible, picks her son's two-line claim
and downloads its Explanation of Benefits as a PDF that carries the figures worked out by hand.

Snapshot: tests/health_plan/dashboard/family_snapshot.py (claim K1: Tom Reyes at Lakeside Lab, lab 2000.00 +
office visit 150.00).
"""

from __future__ import annotations

import io

import pypdf
import pytest
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.principal import Principal, Role
from tests.browser.support import choose, eventually, settled, sign_in_and_change_password
from tests.health_plan.dashboard.family_snapshot import MARIA, publish_family_snapshot

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "silver ppo passphrase 26"
K1_LABEL = "2026-03-02 · Tom Reyes · Lakeside Lab (claim K1)"

pytestmark = pytest.mark.browser


def exports(settings) -> list[tuple[str, int]]:
    return [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]


def test_subscriber_downloads_the_eob_of_her_sons_claim(serve_dashboard, browser_page):
    url, settings = serve_dashboard(publish_family_snapshot)
    one_time = user_admin.create_user(settings, ADMIN, "maria", Role.MEMBER, (MARIA,))

    page = browser_page
    sign_in_and_change_password(page, url, "maria", one_time, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="My deductible")).to_be_visible()
    expect(
        page.get_by_text("You've met $493.86 of your $1,700.00 in-network deductible — $1,206.14 to go")
    ).to_be_visible()
    settled(page)

    choose(page, page.locator(".st-key-member_eob_claim").get_by_role("combobox"), K1_LABEL)
    expect(page.get_by_text("What you owe for this claim: $1,790.00")).to_be_visible()
    settled(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download EOB (PDF)").click()
    assert download.value.suggested_filename == "eob_K1.pdf"
    saved = settings.root / download.value.suggested_filename
    download.value.save_as(saved)  # the browser's own copy goes when it closes

    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for line in (
        "Member: Tom Reyes (member ID F1K)",
        "Provider: Lakeside Lab (NPI 1245319599)",
        # lab: 1700.00 deductible + 20 % x 300.00 = 60.00; office visit: 30.00 copay
        "1 lab in $2,000.00 $2,000.00 $1,700.00 $60.00 $0.00 $240.00 $1,760.00",
        "2 office visit in $150.00 $150.00 $0.00 $0.00 $30.00 $120.00 $30.00",
        "What you owe: $1,790.00",
    ):
        assert line in text
    assert eventually(lambda: exports(settings), lambda e: len(e) == 1) == [("EOB claim K1 pdf", 2)]
