"""PDF export (fpdf2): a titled header block, a table with one line per row, and closing lines (totals).

DejaVu Sans (TrueType) is embedded so any name renders, not only Latin-1. The column header repeats on every page.
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
ELLIPSIS = "…"


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

    def fitted(self, text: str, width: float) -> str:
        """Cut a text that would overflow its column, marking the cut with an ellipsis."""
        room = width - 2 * self.c_margin
        if self.get_string_width(text) <= room:
            return text
        while text and self.get_string_width(text + ELLIPSIS) > room:
            text = text[:-1]
        return text + ELLIPSIS


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
        for col, value in zip(columns, row, strict=True):
            pdf.cell(col.width, LINE_HEIGHT, pdf.fitted(text_of(value), col.width), align=col.align)
        pdf.ln(LINE_HEIGHT)
    pdf.in_table = False
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 7, closing_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for label, value in closing_lines:
        pdf.cell(60, LINE_HEIGHT, label)
        pdf.cell(30, LINE_HEIGHT, text_of(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
