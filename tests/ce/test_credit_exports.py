"""Credit-total exports: exact decimals in CSV, numbers (not text) in Excel, text cells guarded."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pandas as pd

from reports.ce.credit_exports import credit_totals_csv, credit_totals_excel

BY_YEAR = pd.DataFrame(
    {
        "credit_type": ["AMA_PRA_1", "=ANCC"],
        "year": [2026, 2026],
        "credits": [Decimal("2.25"), Decimal("1.50")],
        "accounts": [1, 2],
    }
)


def test_csv_keeps_exact_decimals_and_guards_text():
    text = credit_totals_csv(BY_YEAR).decode("utf-8-sig")
    # the credit type as the page says it, its code after it; an unknown code stays itself (guarded)
    assert text.splitlines() == [
        "Year,Credit type,Credit type code,Credits,Accounts",
        "2026,AMA PRA Category 1 Credit,AMA_PRA_1,2.25,1",
        "2026,'=ANCC,'=ANCC,1.50,2",
    ]


def test_excel_cells_are_numbers_and_a_range_has_no_year_column():
    in_range = BY_YEAR.drop(columns="year")
    sheet = openpyxl.load_workbook(io.BytesIO(credit_totals_excel(in_range))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("Credit type", "Credit type code", "Credits", "Accounts"),
        ("AMA PRA Category 1 Credit", "AMA_PRA_1", 2.25, 1),
        ("'=ANCC", "'=ANCC", 1.5, 2),
    ]
