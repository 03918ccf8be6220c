"""End to end in headless Chromium: an employer signs in with their one-time password, changes it, opens the
Enrollment roster and downloads it as CSV and Excel. The files hold only their own group's members, and a last
name that a spreadsheet would run as a formula arrives as plain text.

Snapshot: tests/browser/roster_snapshot.py (Acme E1: S1, S1D, S3, S4; Globex E2: S5 covered today).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from reports import audit, user_admin
from reports.clock import utc_now
from reports.principal import Principal, Role
from tests.browser.roster_snapshot import HOSTILE_LAST_NAME, publish_roster_snapshot
from tests.browser.support import eventually, settled, sign_in_and_change_password

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "payroll office passphrase 7"  # not "acme...": a password may not contain the username
DATA_LAST_DAY = dt.date(2025, 8, 1)

pytestmark = pytest.mark.browser

HEADER = [
    "Member ID",
    "Subscriber ID",
    "Relationship",
    "Relationship code",
    "First name",
    "Last name",
    "Tier",
    "Tier code",
    "Plan",
    "Coverage start",
    "Coverage end",
]
# Acme's roster today, in the page's order (subscriber, self first, then member): the Lopez family S1 + S1D on
# the FAM tier, S3 and S4 on EMP; nobody has an end date. The relationship and tier in words, each code beside
# it. The formula gets a leading apostrophe (the guard).
NEUTRALISED = "'" + HOSTILE_LAST_NAME
ACME_ROSTER = [
    ["S1", "S1", "Subscriber", "self", "Ana", "Lopez", "Family", "FAM", "P1", "2025-01-01", ""],
    ["S1D", "S1", "Spouse", "spouse", "Ben", "Lopez", "Family", "FAM", "P1", "2025-01-01", ""],
    ["S3", "S3", "Subscriber", "self", "Di", "Lopez", "Employee only", "EMP", "P1", "2025-03-01", ""],
    ["S4", "S4", "Subscriber", "self", "Eve", NEUTRALISED, "Employee only", "EMP", "P1", "2025-04-01", ""],
]


def download(page, button_key: str, saved_in):
    """Press the download button with Streamlit key ``button_key``; the saved file's (name, bytes)."""
    with page.expect_download() as download:
        page.locator(f".st-key-{button_key} button").click()
    name = download.value.suggested_filename
    path = saved_in / name
    download.value.save_as(path)  # the browser's own copy goes when it closes
    return name, path.read_bytes()


def exports(settings) -> list[tuple[str, int]]:
    return sorted((r.target, r.row_count) for r in audit.read(settings, ADMIN) if r.action == "export")


def test_employer_downloads_only_their_own_roster_with_formulas_neutralised(serve_dashboard, browser_page):
    url, settings = serve_dashboard(publish_roster_snapshot)
    one_time = user_admin.create_user(settings, ADMIN, "acme.hr", Role.EMPLOYER, ("E1",))

    page = browser_page
    sign_in_and_change_password(page, url, "acme.hr", one_time, NEW_PASSWORD)

    # An employer's only page is the Enrollment roster, as of today (or the data's last day).
    expect(page.get_by_role("heading", name="Enrollment roster")).to_be_visible()
    expect(page.get_by_text("Employer Acme (E1)")).to_be_visible()
    settled(page)
    csv_name, csv_data = download(page, "roster_csv", settings.root)
    # the server builds the file and audits the export when the button is pressed: wait for that row
    eventually(lambda: exports(settings), lambda e: len(e) == 1)
    settled(page)
    xlsx_name, xlsx_data = download(page, "roster_xlsx", settings.root)
    # Defaults follow the data: the roster is as of the data's last day (C6 processed 2025-08-01) once today
    # is past it.
    today = min(utc_now().date(), DATA_LAST_DAY)

    assert csv_name == f"roster_E1_{today:%Y%m%d}.csv"
    rows = list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig"))))
    assert rows == [HEADER, *ACME_ROSTER]  # never Globex's S5, who is covered today too

    assert xlsx_name == f"roster_E1_{today:%Y%m%d}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_data)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == HEADER
    assert [r[:6] for r in table[1:]] == [r[:6] for r in ACME_ROSTER]
    # the formula is a text cell, never a formula the spreadsheet would run
    assert sheet["F5"].value == NEUTRALISED and sheet["F5"].data_type == "s"

    assert eventually(lambda: exports(settings), lambda e: len(e) >= 2) == [
        (f"enrollment roster E1 as of {today} csv", 4),
        (f"enrollment roster E1 as of {today} xlsx", 4),
    ]
