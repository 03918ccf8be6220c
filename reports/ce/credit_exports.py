"""CSV and Excel exports of the CE credit totals (frames from ``reports.ce.reads.credit_totals_by_type`` and
``credit_totals_in_range``); credits stay exact Decimals, text cells pass the formula guard. The credit type
reads as the page says it ("AMA PRA Category 1 Credit"), its code in the column after it ("Credit type
code")."""

from __future__ import annotations

import pandas as pd

from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.formatting import for_export

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


def _table(frame: pd.DataFrame) -> tuple[list[str], list[list]]:
    columns = BY_YEAR_COLUMNS if "year" in frame.columns else IN_RANGE_COLUMNS
    named = frame[[c for c, _ in columns]].rename(columns=dict(columns))
    # no moments in these tables: the zone is only there for the signature
    shown = for_export(named, timezone="UTC", labelled=("Credit type",))

    def plain(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return v.item() if hasattr(v, "item") else v  # numpy ints -> int; Decimals pass as they are

    return list(shown.columns), [[plain(v) for v in row] for row in shown.itertuples(index=False, name=None)]


def credit_totals_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(*_table(frame))


def credit_totals_excel(frame: pd.DataFrame, title: str = "Credit totals") -> bytes:
    return workbook_bytes([Sheet(title, *_table(frame))])
