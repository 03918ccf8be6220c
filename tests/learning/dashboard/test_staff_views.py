"""Staff pages (My transcript, My compliance, My certificates) on a hand-built snapshot
(tests/dashboard/published_marts.py).

The staff user zoe is person P0001; P0002's rows sit in the same marts and must never show.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest

from reports import audit
from reports.principal import Role
from tests.dashboard.fixtures import ADMIN, titles
from tests.dashboard.published_marts import STAFF_ID, STAFF_NAME, capture_downloads, publish_snapshot

PDF_FILE = "transcript_P0001_complete-history.pdf"
XLSX_FILE = "transcript_P0001_complete-history.xlsx"
CSV_FILE = "transcript_P0001_complete-history.csv"


@pytest.fixture
def staff(settings, signed_in_as):
    publish_snapshot(settings)
    return signed_in_as("zoe", Role.STAFF, (STAFF_ID,))


def page_rows(settings, actions=("view", "export")):
    """(action, target, row_count) of the audit log, oldest first."""
    return [(r.action, r.target, r.row_count) for r in reversed(audit.read(settings, ADMIN, actions=actions))]


def test_staff_transcript_lists_only_their_items_newest_first_with_totals(staff):
    app = staff
    assert titles(app) == ["My transcript"]
    items, totals = (d.value for d in app.dataframe)
    # P0002's item C7 is in the same mart: never shown.
    assert list(items["Item"]) == ["C1", "E1", "E1", "X1", "C0"]
    assert list(items["Completed on"]) == [
        dt.date(2026, 5, 10),
        dt.date(2026, 4, 2),
        dt.date(2026, 4, 2),
        dt.date(2025, 11, 20),
        dt.date(2024, 1, 15),
    ]
    # hours 1.00 + 1.50 (E1 once, though it has two credit types) + 4.00 + 2.50 = 9.00; ANCC 1.50 + 4.00 =
    # 5.50 credit types as the accrediting bodies name them, not their codes
    assert list(zip(totals["Total"], totals["Amount"], strict=True)) == [
        ("Hours", Decimal("9.00")),
        ("Credits: AMA PRA Category 1 Credit", Decimal("1.50")),
        ("Credits: ANCC contact hours", Decimal("5.50")),
    ]
    # the items' credit types in words too (E1: AMA PRA Category 1 and ANCC; X1: ANCC; C1, C0: none)
    assert list(items["Credit type"]) == [
        "—",
        "AMA PRA Category 1 Credit",
        "ANCC contact hours",
        "ANCC contact hours",
        "—",
    ]
    assert [b.label for b in app.get("download_button")] == [
        "Download CSV",  # the items
        "Download Excel",
        "Download PDF",
        "Download CSV",  # the totals
        "Download Excel",
        "Download verifiable credential",
    ]


def test_a_date_range_narrows_the_items_and_the_totals(staff):
    app = staff
    app.radio(key="transcript_span").set_value("Date range").run()
    app.date_input(key="transcript_range").set_value((dt.date(2026, 1, 1), dt.date(2026, 6, 30))).run()
    assert not app.exception
    items, totals = (d.value for d in app.dataframe)
    assert list(items["Item"]) == ["C1", "E1", "E1"]
    # X1 (2025-11-20) and C0 (2024) fall outside: hours 1.00 + 1.50 = 2.50; ANCC only E1's 1.50
    assert list(totals["Amount"]) == [Decimal("2.50"), Decimal("1.50"), Decimal("1.50")]
    assert "2026-01-01 to 2026-06-30" in app.caption[0].value


def test_a_range_ending_after_today_says_so_and_ends_today(staff, settings):
    from zoneinfo import ZoneInfo

    app = staff
    app.radio(key="transcript_span").set_value("Date range").run()
    app.date_input(key="transcript_range").set_value((dt.date(2026, 1, 1), dt.date(2100, 1, 1))).run()
    today = dt.datetime.now(ZoneInfo(settings.org_timezone)).date()
    assert [e.value for e in app.error] == [
        f"From and to (both included): 2100-01-01 is outside the allowed dates (up to {today:%Y-%m-%d}); "
        f"showing {today:%Y-%m-%d} instead."
    ]
    assert f"2026-01-01 to {today:%Y-%m-%d}" in app.caption[0].value  # the page says which range it shows


def test_pdf_and_excel_downloads_carry_the_numbers_on_screen_and_each_is_audited(
    settings, signed_in_as, monkeypatch
):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    signed_in_as("zoe", Role.STAFF, (STAFF_ID,))
    assert sorted(downloads) == sorted(
        [
            PDF_FILE,
            XLSX_FILE,
            CSV_FILE,
            "transcript_P0001_complete-history_totals.csv",
            "transcript_P0001_complete-history_totals.xlsx",
            f"transcript_{STAFF_ID}.jwt",
        ]
    )
    assert page_rows(settings) == [("view", "transcript person P0001", 5)]  # nothing exported before a press

    pdf = pypdf.PdfReader(io.BytesIO(downloads[PDF_FILE]()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert f"Name: {STAFF_NAME}" in text
    assert "Range: Complete History" in text
    for line in (
        "Hours 9.00",
        "Credits: AMA PRA Category 1 Credit 1.50",
        "Credits: ANCC contact hours 5.50",
    ):
        assert line in text
    assert "AMA_PRA_1" not in text
    assert "Ben's secret course" not in text

    book = openpyxl.load_workbook(io.BytesIO(downloads[XLSX_FILE]()))
    assert [r[2] for r in book["Items"].iter_rows(min_row=2, values_only=True)] == [
        "C1",
        "E1",
        "E1",
        "X1",
        "C0",
    ]
    totals = [
        (name, Decimal(str(v)).quantize(Decimal("0.01")))
        for name, v in book["Totals"].iter_rows(min_row=2, max_row=4, values_only=True)
    ]
    assert totals == [
        ("Hours", Decimal("9.00")),
        ("Credits: AMA PRA Category 1 Credit", Decimal("1.50")),
        ("Credits: ANCC contact hours", Decimal("5.50")),
    ]

    # the CSV: the items as on screen, the credit type in words and its code in the last column
    rows = list(csv.reader(io.StringIO(downloads[CSV_FILE]().decode("utf-8-sig"))))
    assert rows[0] == [
        "Completed on",
        "Source",
        "Item",
        "Title",
        "Credit type",
        "Credits",
        "Hours",
        "Credit type code",
    ]
    assert [(r[2], r[4], r[7]) for r in rows[1:]] == [
        ("C1", "", ""),
        ("E1", "AMA PRA Category 1 Credit", "AMA_PRA_1"),
        ("E1", "ANCC contact hours", "ANCC"),
        ("X1", "ANCC contact hours", "ANCC"),
        ("C0", "", ""),
    ]

    assert page_rows(settings) == [
        ("view", "transcript person P0001", 5),
        ("export", "transcript person P0001 pdf", 5),
        ("export", "transcript person P0001 xlsx", 5),
        ("export", "transcript person P0001 csv", 5),
    ]


def test_a_record_view_is_audited_once_per_content_not_on_every_rerun(settings, staff):
    app = staff
    app.run()
    app.run()
    assert page_rows(settings) == [("view", "transcript person P0001", 5)]
    app.radio(key="transcript_span").set_value("Date range").run()
    app.date_input(key="transcript_range").set_value((dt.date(2026, 1, 1), dt.date(2026, 6, 30))).run()
    assert page_rows(settings)[-1] == ("view", "transcript person P0001", 3)


def test_my_compliance_shows_each_requirement_with_status_and_due_date(settings, staff):
    app = staff.switch_page("views/staff/compliance.py").run()
    assert titles(app) == ["My compliance"]
    table = app.dataframe[0].value
    # due date first: the overdue one, then due soon, then the compliant one
    assert list(zip(table["Requirement"], table["Status"], table["Due date"], strict=True)) == [
        ("R3", "Overdue", dt.date(2026, 6, 1)),
        ("R2", "Due soon", dt.date(2026, 7, 15)),
        ("R1", "Compliant", dt.date(2027, 5, 10)),
    ]
    assert [e.value for e in app.error] == ["1 required training is overdue."]
    assert [w.value for w in app.warning] == ["1 required training is due soon."]
    assert app.caption[0].value.startswith("Status as of 2026-06-30")
    assert page_rows(settings)[-1] == ("view", "compliance person P0001", 3)


def test_my_certificates_show_the_last_download_day_and_warn_within_seven_days(settings, staff):
    app = staff.switch_page("views/staff/certificates.py").run()
    assert titles(app) == ["My certificates"]
    table = app.dataframe[0].value
    # soonest to expire first; P0002's certificate E9 is not there
    assert list(zip(table["Activity"], table["Status"], table["Available until"], strict=True)) == [
        ("Airway basics", "No longer downloadable", dt.date(2026, 5, 2)),
        ("Sepsis grand rounds", "Issued", dt.date(2026, 7, 4)),
        ("Stroke update", "Awaiting your evaluation", dt.date(2026, 7, 25)),
    ]
    # only E1 (4 days left) is within 7 days; E2 has 25 days, E0 is already gone
    assert [w.value for w in app.warning] == [
        "Sepsis grand rounds: downloadable until 2026-07-04 (4 days left). Save it now."
    ]
    assert page_rows(settings)[-1] == ("view", "certificates person P0001", 3)


def test_an_issued_certificate_downloads_as_pdf_and_the_others_say_why_not(
    settings, signed_in_as, monkeypatch
):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as("zoe", Role.STAFF, (STAFF_ID,))
    app = app.switch_page("views/staff/certificates.py").run()
    # the table's own export, then only E1's certificate: E1 is issued and within its window; E0 expired, E2
    # awaits the evaluation
    assert [b.label for b in app.get("download_button")] == [
        "Download CSV",
        "Download Excel",
        "Download certificate (PDF)",
    ]
    reasons = [c.value for c in app.caption if "downloadable" in c.value or "evaluation" in c.value]
    assert reasons == [
        "No longer downloadable: certificates can be downloaded until a set number of days after the "
        "activity, "
        "for this one until 2026-05-02.",
        "Complete the activity's evaluation first (by 2026-07-25).",
    ]
    pdf = downloads["certificate_E1.pdf"]()
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for expected in (
        "Certificate of Attendance",
        STAFF_NAME,  # from her CE account
        "Sepsis grand rounds",
        "on 2026-04-02",
        "1.50 AMA PRA Category 1 Credits™",
        "1.50 ANCC contact hours",
        "jointly accredited",
        "verification code",
    ):
        assert expected in text, expected
    from reports.ce.certificates import verification_code

    code = verification_code("E1", "CE-P0001", "A1")
    assert len(code) == 19 and code in text
    assert page_rows(settings, actions=("export",)) == [("export", "certificate E1 pdf", 1)]


def test_a_certificate_that_is_not_downloadable_or_not_yours_is_refused(settings):
    from reports.ce.certificates import CertificateUnavailable, certificate_download
    from reports.principal import NotPermitted, Principal

    publish_snapshot(settings)
    zoe = Principal("zoe", Role.STAFF, (STAFF_ID,))
    with pytest.raises(CertificateUnavailable, match="until 2026-05-02"):
        certificate_download(zoe, settings, "E0")
    with pytest.raises(NotPermitted):
        certificate_download(zoe, settings, "E9")  # Ben's
    assert page_rows(settings, actions=("export",)) == []


def test_a_staff_user_not_on_the_roster_sees_a_plain_message_and_nobody_elses_rows(settings, signed_in_as):
    publish_snapshot(settings)
    app = signed_in_as("newbie", Role.STAFF, ("P9999",))
    assert not app.exception
    assert app.dataframe.len == 0
    assert "not linked to a person" in app.warning[0].value
    for view in ("staff/compliance.py", "staff/certificates.py"):
        app.switch_page(f"views/{view}").run()
        assert not app.exception
        assert app.dataframe.len == 0


def test_staff_pages_before_anything_is_published_say_so(signed_in_as):
    app = signed_in_as("zoe", Role.STAFF, (STAFF_ID,))
    for view in ("staff/transcript.py", "staff/compliance.py", "staff/certificates.py"):
        app.switch_page(f"views/{view}").run()
        assert not app.exception
        assert app.info[0].value.startswith("No data has been published yet")


def test_a_staff_user_cannot_reach_the_education_manager_page(staff):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        staff.switch_page("views/education_manager/compliance.py")
