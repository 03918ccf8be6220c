"""PDF, Excel and CSV of one transcript read back: the same numbers as the Transcript, and nothing
runnable."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.learning.transcripts import (
    export_file_name,
    load_transcript,
    transcript_csv,
    transcript_excel,
    transcript_pdf,
)
from reports.principal import Principal, Role
from tests.reports.snapshot import FULL_NAME

NOW = dt.datetime(2026, 7, 1, 9, 30)
ADMIN = Principal("root", Role.ADMIN)


@pytest.fixture
def transcript(published):
    return load_transcript(ADMIN, published, "P1", now=NOW)


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_pdf_has_the_header_one_line_per_item_and_the_totals(transcript):
    text = _pdf_text(transcript_pdf(transcript))
    assert f"Name: {FULL_NAME}" in text  # non-Latin-1 letters render (DejaVu); in a PDF the name is just text
    assert "Learning Center ID: ••••••••1234" in text
    assert "031519801234" not in text and "03151980" not in text
    assert "Range: Complete History" in text
    assert "Generated at: 2026-07-01 09:30" in text
    lines = [ln for ln in text.splitlines() if re.match(r"^\d{4}-\d{2}-\d{2} ", ln)]
    assert [ln.split()[0] for ln in lines] == [i.completed_on.isoformat() for i in transcript.items]
    assert re.search(r"^Hours\s+([\d.,]+)$", text, re.M).group(1) == "5.75"
    # the credit types as the accrediting bodies name them, never the codes (AMA_PRA_1, ANCC)
    credits = dict(re.findall(r"^Credits: (.+?)\s+([\d.,]+)$", text, re.M))
    assert {k: _amount(v) for k, v in credits.items()} == {
        "AMA PRA Category 1 Credit": Decimal("2.25"),  # E1 1.50 + Z1 0.75
        "ANCC contact hours": Decimal("1.25"),  # E1
    }
    assert "AMA_PRA_1" not in text
    # E1's two lines name their credit type in words (the column wraps a long name onto a second line)
    assert text.count("AMA PRA Category 1") == 3  # E1, Z1 and the total


def test_excel_has_an_items_sheet_and_a_totals_sheet_with_the_same_numbers(transcript):
    wb = load_workbook(io.BytesIO(transcript_excel(transcript)))
    assert wb.sheetnames == ["Items", "Totals"]
    items = list(wb["Items"].iter_rows(min_row=2, values_only=True))
    assert wb["Items"]["E1"].value == "Credit type" and wb["Items"]["H1"].value == "Credit type code"
    # the credit type in words, its code in the last column (for a program reading the file)
    assert [(r[2], r[4], r[7]) for r in items] == [
        ("E1", "AMA PRA Category 1 Credit", "AMA_PRA_1"),
        ("E1", "ANCC contact hours", "ANCC"),
        ("X2", None, None),
        ("Z1", "AMA PRA Category 1 Credit", "AMA_PRA_1"),
        ("X1", None, None),
        ("X3", None, None),
    ]
    assert [None if r[5] is None else Decimal(str(r[5])) for r in items] == [
        i.credits for i in transcript.items
    ]
    assert [None if r[6] is None else Decimal(str(r[6])) for r in items] == [
        i.hours for i in transcript.items
    ]
    totals = {r[0]: r[1] for r in wb["Totals"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert Decimal(str(totals["Hours"])) == transcript.total_hours == Decimal("5.75")
    assert Decimal(str(totals["Credits: AMA PRA Category 1 Credit"])) == Decimal("2.25")
    assert Decimal(str(totals["Credits: ANCC contact hours"])) == Decimal("1.25")


def test_excel_and_csv_make_formula_like_text_inert(transcript):
    wb = load_workbook(io.BytesIO(transcript_excel(transcript)))
    about = {r[0]: r[1] for r in wb["Totals"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert about["Name"] == "'" + FULL_NAME  # '=HYPERLINK("x") Zoë …' is text, not a formula
    titles = [r[3] for r in wb["Items"].iter_rows(min_row=2, values_only=True)]
    assert "'@Outside course" in titles and "'-Fire safety" in titles
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    rows = list(csv.reader(io.StringIO(transcript_csv(transcript).decode("utf-8-sig"))))
    assert "'@Outside course" in [r[3] for r in rows[1:]]
    assert [r[5] for r in rows[1:3]] == ["1.50", "1.25"]  # E1's credits, as plain numbers
    assert rows[0][4:] == ["Credit type", "Credits", "Hours", "Credit type code"]
    assert [(r[4], r[7]) for r in rows[1:3]] == [
        ("AMA PRA Category 1 Credit", "AMA_PRA_1"),
        ("ANCC contact hours", "ANCC"),
    ]


def test_file_names_carry_person_and_range(transcript):
    assert export_file_name(transcript, "pdf") == "transcript_P1_complete-history.pdf"
