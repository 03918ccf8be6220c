"""End to end in headless Chromium: one click on "Download Excel" under the CE duplicate queue delivers a
workbook that opens ready to read (header row frozen, autofilter over the table, columns fitted), and the
export is audited.

Snapshot: tests/ce/duplicates/snapshot.py (undecided clusters CE3: 3 accounts, CE1: 2, CE6: 2 = 7 rows).
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.ce.duplicate_tables import EXPORT_HEADER
from reports.principal import Principal, Role
from tests.browser.support import eventually, settled, sign_in_and_change_password
from tests.ce.duplicates.snapshot import publish

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "ce team passphrase 2026"

pytestmark = pytest.mark.browser


def exports(settings) -> list[tuple[str, int]]:
    return [(r.target, r.row_count) for r in audit.read(settings, ADMIN) if r.action == "export"]


def test_one_click_downloads_an_excel_file_with_a_frozen_header_and_an_autofilter(
    serve_dashboard, browser_page
):
    url, settings = serve_dashboard(lambda s: publish(s.root))
    one_time = user_admin.create_user(settings, ADMIN, "cora", Role.CE_TEAM)
    page = browser_page
    sign_in_and_change_password(page, url, "cora", one_time, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Duplicate queue")).to_be_visible()
    settled(page)

    with page.expect_download() as download:  # one click: no "Prepare" step
        page.locator(".st-key-dup_xlsx button").click()
    assert download.value.suggested_filename == "duplicate-queue-undecided.xlsx"
    path = settings.root / "queue.xlsx"
    download.value.save_as(path)

    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    last_column = get_column_letter(len(EXPORT_HEADER))
    header = [c.value for c in sheet[1]]
    # "Created" in the organisation's zone, named in the header as on the page ("Created (CST/CDT)")
    assert [h.split(" (")[0] for h in header] == list(EXPORT_HEADER)
    assert header[EXPORT_HEADER.index("Created")] in ("Created (CST/CDT)", "Created (CDT/CST)")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{last_column}8"  # header + 7 accounts
    widths = [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(EXPORT_HEADER))]
    # each column at least as wide as its header, so "Recommended survivor" is not cut at Excel's default
    assert all(w >= len(h) for w, h in zip(widths, EXPORT_HEADER, strict=True))
    assert eventually(lambda: exports(settings), lambda e: len(e) == 1) == [("ce duplicate queue xlsx", 7)]
