"""CSV and Excel exports of the CE credit totals (frames from ``reports.ce.reads.credit_totals_by_type`` and
``credit_totals_in_range``); credits stay exact Decimals, text cells pass the formula guard."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes

#: (frame column, heading)
BY_YEAR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("year", "Year"),
    ("credit_type", "Credit type"),
    ("credits", "Credits"),
    ("accounts", "Accounts"),
)
IN_RANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("credit_type", "Credit type"),
    ("credits", "Credits"),
    ("accounts", "Accounts"),
)


def _rows(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> list[list]:
    def plain(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return v.item() if hasattr(v, "item") else v  # numpy ints -> int; Decimals pass as they are

    return [
        [plain(v) for v in row] for row in frame[[c for c, _ in columns]].itertuples(index=False, name=None)
    ]


def _columns(frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return BY_YEAR_COLUMNS if "year" in frame.columns else IN_RANGE_COLUMNS


def credit_totals_csv(frame: pd.DataFrame) -> bytes:
    columns = _columns(frame)
    return csv_bytes([h for _, h in columns], _rows(frame, columns))


def credit_totals_excel(frame: pd.DataFrame, title: str = "Credit totals") -> bytes:
    columns = _columns(frame)
    return workbook_bytes([Sheet(title, [h for _, h in columns], _rows(frame, columns))])
