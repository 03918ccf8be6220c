"""CSV and Excel downloads of a table exactly as the page shows it, each download written to the audit log.

The files pass through ``reports.exports`` (formula-injection guard; Decimals stay numbers). The audit row is
written by the button's click callback, so it records a download that happened, with its row count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import session
from reports import audit
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.principal import Principal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Any) -> Any:
    """A pandas cell as the exporters expect it: None for missing, Python dates, Decimals untouched."""
    if value is None or (not isinstance(value, str | Decimal) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date | Decimal | str | int):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def table_rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def csv_file(frame: pd.DataFrame) -> bytes:
    return csv_bytes(list(frame.columns), table_rows(frame))


def excel_file(frame: pd.DataFrame, sheet_title: str) -> bytes:
    return workbook_bytes([Sheet(sheet_title, list(frame.columns), table_rows(frame))])


def _record_export(who: Principal, target: str, row_count: int) -> None:
    audit.record(who, "export", target, row_count=row_count, settings=session.settings())


def download_buttons(who: Principal, frame: pd.DataFrame, *, target: str, file_stem: str, key: str) -> None:
    """ "Download CSV" and "Download Excel" side by side; ``target`` names what is exported in the audit log
    (identifiers only, never record contents)."""
    left, right = st.columns(2)
    rows = len(frame)
    left.download_button(
        "Download CSV",
        data=csv_file(frame),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click=_record_export,
        args=(who, f"{target} csv", rows),
    )
    right.download_button(
        "Download Excel",
        data=excel_file(frame, file_stem),
        file_name=f"{file_stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click=_record_export,
        args=(who, f"{target} xlsx", rows),
    )
