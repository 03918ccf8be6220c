"""The formula-injection guard on its own and in the CSV and Excel writers."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.exports.csv import csv_text
from reports.exports.excel import Sheet, workbook_bytes
from reports.exports.guard import neutralise


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_is_prefixed(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Zoë", "a=b", "", None, Decimal("-1.50"), -3, dt.date(2026, 1, 1)])
def test_everything_else_passes_unchanged(value):
    assert neutralise(value) == value


def test_csv_neutralises_text_and_keeps_numbers_numbers():
    text = csv_text(["name", "credits", "on"], [['=HYPERLINK("x")', Decimal("-1.50"), dt.date(2026, 1, 2)]])
    assert text.splitlines() == ["name,credits,on", '"\'=HYPERLINK(""x"")",-1.50,2026-01-02']


def test_excel_text_cells_are_never_formulas_and_numbers_stay_numbers():
    data = workbook_bytes([Sheet("S", ["name", "credits"], [["=1+1", Decimal("2.50")], ["@cmd", -3]])])
    ws = load_workbook(io.BytesIO(data))["S"]
    assert [c.value for c in ws[2]] == ["'=1+1", 2.5]
    assert [c.data_type for c in ws[2]] == ["s", "n"]
    assert [c.value for c in ws[3]] == ["'@cmd", -3]


def test_the_workbook_reads_back_in_openpyxl_and_calamine():
    from python_calamine import CalamineWorkbook

    rows = [['=HYPERLINK("x") <&>', Decimal("1.50"), dt.date(2026, 1, 31), 7, None, "Zoë\x01"]]
    data = workbook_bytes([Sheet("Overdue & due soon", list("abcdef"), rows)])
    ws = load_workbook(io.BytesIO(data))["Overdue & due soon"]
    got = [c.value for c in ws[2]]
    # Text neutralised and escaped, Decimal a number, the date a date (day 46053 after 30 Dec 1899), no
    # control char.
    assert got == ['\'=HYPERLINK("x") <&>', 1.5, dt.datetime(2026, 1, 31), 7, None, "Zoë"]
    assert [c.data_type for c in ws[2]][:4] == ["s", "n", "d", "n"]
    assert ws["A1"].font.b  # bold header
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Overdue & due soon")
    assert sheet.to_python()[1][:3] == ['\'=HYPERLINK("x") <&>', 1.5, dt.date(2026, 1, 31)]
