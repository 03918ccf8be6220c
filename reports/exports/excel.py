"""Excel export (openpyxl, write-only so 100k rows stay fast): one sheet per table.

Every text cell passes the formula-injection guard and is written as a string, never a formula; Decimals and ints
stay numbers (with a two-decimal format for Decimals), dates stay dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.exports.guard import neutralise

DECIMAL_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
#: Excel's limit for a sheet title.
MAX_TITLE = 31


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _cell(ws, value: Any, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=neutralise(value))
        cell.data_type = "s"  # belt and braces: a text cell is never a formula
    else:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, Decimal):
            cell.number_format = DECIMAL_FORMAT
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.title[:MAX_TITLE])
        ws.append([_cell(ws, h, bold=True) for h in sheet.header])
        for row in sheet.rows:
            ws.append([_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
