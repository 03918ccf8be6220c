"""End to end in headless Chromium: a new staff user signs in with their one-time password, changes it, opens
My transcript and downloads it as a PDF that carries their name and the totals shown on screen, then downloads
a certificate; a CE team user looks a learner up by phone and exports the record.

The dashboard is served exactly as ``portalytics dashboard`` serves it (``pipelines.serve.streamlit_command``)
on a free port, over a snapshot built by hand (tests/dashboard/published_marts.py).
"""

from __future__ import annotations

import io

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.principal import Principal, Role
from tests.browser.support import eventually, settled, sign_in_and_change_password
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
    # the credit types as the accrediting bodies name them, not their codes
    for line in ("Hours 9.00", "Credits: AMA PRA Category 1 Credit 1.50", "Credits: ANCC contact hours 5.50"):
        assert line in text

    log = [(r.action, r.target) for r in reversed(audit.read(settings, ADMIN))]
    assert "password_change" in [action for action, _ in log]
    assert log[-2:] == [("view", "transcript person P0001"), ("export", "transcript person P0001 pdf")]

    # My certificates: the issued one (E1) downloads as a PDF certificate; the expired one says why not.
    page.get_by_role("link", name="My certificates").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page.get_by_text("No longer downloadable: certificates can be downloaded until")).to_be_visible()
    settled(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download certificate (PDF)").click()
    assert download.value.suggested_filename == "certificate_E1.pdf"
    saved = settings.root / download.value.suggested_filename
    download.value.save_as(saved)
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(saved.read_bytes())).pages).split()
    )
    for expected in (
        "Certificate of Attendance",
        STAFF_NAME,
        "Sepsis grand rounds",
        "1.50 ANCC contact hours",
    ):
        assert expected in text
    exports = eventually(
        lambda: [r.target for r in audit.read(settings, ADMIN, actions=["export"])],
        lambda targets: "certificate E1 pdf" in targets,
    )
    assert "certificate E1 pdf" in exports


def test_the_ce_team_looks_a_learner_up_by_phone_and_exports_the_record(dashboard, browser_page):
    url, settings = dashboard
    one_time = user_admin.create_user(settings, ADMIN, "cora", Role.CE_TEAM)
    page = browser_page
    sign_in_and_change_password(page, url, "cora", one_time, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Duplicate queue")).to_be_visible()
    page.get_by_role("link", name="Learner lookup").click()
    expect(page.get_by_role("heading", name="Learner lookup")).to_be_visible()
    settled(page)
    box = page.get_by_label("Name, e-mail, phone or account id")
    box.fill("(555) 123-0101")
    box.press("Enter")
    # both of Zoë's accounts (the old one merged into the SSO one), her claims with the rejection reason
    expect(page.get_by_role("heading", name="Claims")).to_be_visible()
    expect(page.get_by_text("Accounts of the same learner")).to_be_visible()
    settled(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this learner's record (Excel)").click()
    assert download.value.suggested_filename == "learner_CE-P0001-OLD.xlsx"
    saved = settings.root / download.value.suggested_filename
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    accounts = [r[0] for r in book["Accounts"].iter_rows(min_row=2, values_only=True)]
    # the reason in words as on the page, its code after it (..., Reason, Reason code, Claimed by, Event)
    claims = [(r[6], r[7], r[9]) for r in book["Claims"].iter_rows(min_row=2, values_only=True)]
    assert accounts == ["CE-P0001", "CE-P0001-OLD"]
    assert claims == [("Sent outside the attendance window", "outside_window", "E5"), (None, None, "E1")]
    exports = eventually(
        lambda: [r.target for r in audit.read(settings, ADMIN, actions=["export"])],
        lambda targets: bool(targets),
    )
    assert exports == ["learner lookup CE-P0001-OLD xlsx"]
