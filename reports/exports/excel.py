"""Excel export (openpyxl, write-only so 100k rows stay fast): one sheet per table.

Every text cell passes the formula-injection guard and is written as a string, never a formula; Decimals and ints
stay numbers (with a two-decimal format for Decimals), dates stay dates.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, NamedStyle

from reports.exports.guard import neutralise

DECIMAL_FORMAT = "#,##0.00"
#: Excel's limit for a sheet title.
MAX_TITLE = 31


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _cell(ws, value: Any) -> Any:
    """Plain values where possible: per-cell style objects are what make large write-only exports slow."""
    if isinstance(value, str):
        # Control characters are illegal in the XML of a sheet; a guarded string never starts with "=", so
        # openpyxl keeps it as text.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.style = _MONEY_STYLE
        return cell
    return value  # ints, floats, dates (openpyxl gives dates a date format itself), None


def _header_cell(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=neutralise(value))
    cell.font = Font(bold=True)
    return cell


_MONEY_STYLE = "portalytics-decimal"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook(write_only=True)
    wb.add_named_style(NamedStyle(name=_MONEY_STYLE, number_format=DECIMAL_FORMAT))
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.title[:MAX_TITLE])
        ws.append([_header_cell(ws, h) for h in sheet.header])
        for row in sheet.rows:
            ws.append([_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
