"""The Excel writer: a sheet opens ready to read (frozen header, autofilter, fitted columns) with typed
cells."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from reports.exports.excel import MAX_WIDTH, Sheet, workbook_bytes

HEADER = ["Item", "Completed", "Amount", "Note"]
ROWS = [
    ["ATT00008-PARTICIPATION-2026", dt.date(2026, 3, 4), Decimal("1234.50"), None],
    ["E1", dt.date(2026, 1, 31), Decimal("7.00"), "x" * 200],
]


def _sheet():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet("Transcript", HEADER, ROWS)])))
    return book["Transcript"]


def test_the_header_row_is_frozen_and_the_table_has_an_autofilter():
    ws = _sheet()
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"  # 4 columns, header + 2 rows


def test_columns_are_as_wide_as_their_longest_value_within_a_cap():
    ws = _sheet()
    widths = {col: ws.column_dimensions[col].width for col in "ABCD"}
    # the 27-character item id fits (it is the longest value in column A)
    assert widths["A"] >= len("ATT00008-PARTICIPATION-2026")
    # a date column is as wide as yyyy-mm-dd plus the header's filter arrow, not the default 13 or the item
    # width
    assert len("2026-03-04") <= widths["B"] < widths["A"]
    assert widths["C"] >= len("1,234.50")
    assert widths["D"] <= MAX_WIDTH + 1  # a 200-character note does not make a 200-wide column


def test_dates_and_money_are_typed_cells_not_text():
    ws = _sheet()
    assert ws["B2"].value == dt.datetime(2026, 3, 4)
    assert ws["B2"].is_date and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == 1234.5 and ws["C2"].data_type == "n"
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["D2"].value is None
