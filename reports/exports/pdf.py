"""PDF export (fpdf2): a titled header block, a table, and closing lines (totals).

A long cell wraps onto more lines (fpdf2's ``multi_cell``, which also breaks a word longer than its column,
such as an item id) and the row grows to its tallest cell; nothing is cut. A row never splits across pages.

DejaVu Sans (TrueType) is embedded so any name renders, not only Latin-1. The column header repeats on every
page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
BODY_SIZE = 8
LINE_HEIGHT = 5.0


@dataclass(frozen=True)
class PdfColumn:
    title: str
    width: float  # mm
    align: str = "L"  # "L" or "R"


def text_of(value: Any) -> str:
    """How a value reads in a PDF: Decimals with two places, dates ISO, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def wrapped_row(pdf: FPDF, columns: Sequence[PdfColumn], texts: Sequence[str]) -> None:
    """One table row, each cell wrapped within its column; the row is as tall as its tallest cell and moves
    whole to the next page when it does not fit (the page's ``header`` repeats the column titles)."""
    lines = max(
        len(pdf.multi_cell(col.width, LINE_HEIGHT, text, align=col.align, dry_run=True, output="LINES"))
        for col, text in zip(columns, texts, strict=True)
    )
    height = max(1, lines) * LINE_HEIGHT
    if pdf.will_page_break(height):
        pdf.add_page()
    top, x = pdf.get_y(), pdf.l_margin
    for col, text in zip(columns, texts, strict=True):
        pdf.set_xy(x, top)
        pdf.multi_cell(col.width, LINE_HEIGHT, text, align=col.align, new_x=XPos.RIGHT, new_y=YPos.TOP)
        x += col.width
    pdf.set_xy(pdf.l_margin, top + height)


class _TablePdf(FPDF):
    def __init__(self, columns: Sequence[PdfColumn]):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.columns = columns
        self.in_table = False
        for style, file in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / file))
        self.set_auto_page_break(auto=True, margin=15)

    def header(self) -> None:
        if self.in_table:  # a page break inside the table: repeat its column titles
            self.column_titles()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="C")

    def column_titles(self) -> None:
        self.set_font(FONT, "B", BODY_SIZE)
        for col in self.columns:
            self.cell(col.width, LINE_HEIGHT + 1, col.title, border="B", align=col.align)
        self.ln(LINE_HEIGHT + 1)
        self.set_font(FONT, "", BODY_SIZE)

    def table_row(self, texts: Sequence[str]) -> None:
        wrapped_row(self, self.columns, texts)


def table_pdf(
    title: str,
    header_lines: Sequence[tuple[str, str]],
    columns: Sequence[PdfColumn],
    rows: Iterable[Sequence[Any]],
    closing_title: str,
    closing_lines: Sequence[tuple[str, Any]],
) -> bytes:
    pdf = _TablePdf(columns)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for label, value in header_lines:
        pdf.cell(35, LINE_HEIGHT, f"{label}:")
        pdf.cell(0, LINE_HEIGHT, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.column_titles()
    pdf.in_table = True
    for row in rows:
        pdf.table_row([text_of(value) for value in row])
    pdf.in_table = False
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 7, closing_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for label, value in closing_lines:
        pdf.cell(60, LINE_HEIGHT, label)
        pdf.cell(30, LINE_HEIGHT, text_of(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
