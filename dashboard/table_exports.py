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
from dashboard.downloads import guarded
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


def _export(who: Principal, frame: pd.DataFrame, kind: str, target: str, sheet_title: str, settings) -> bytes:
    """The file, built when its button is pressed, and the audit row of that export with its row count."""
    data = csv_file(frame) if kind == "csv" else excel_file(frame, sheet_title)
    audit.record(who, "export", f"{target} {kind}", row_count=len(frame), settings=settings)
    return data


def download_buttons(who: Principal, frame: pd.DataFrame, *, target: str, file_stem: str, key: str) -> None:
    """ "Download CSV" and "Download Excel" side by side; ``target`` names what is exported in the audit log
    (identifiers only, never record contents).

    Deferred: a file is built (and the export audited) only when its button is pressed, not on every rerun of
    the page (an Excel file of a long roster takes a while). The server runs the callable off the page's
    thread, so it gets the settings, not the session; ``guarded`` re-checks the session at that moment.
    """
    settings = session.settings()
    left, right = st.columns(2)
    for column, kind, label, mime in (
        (left, "csv", "Download CSV", "text/csv"),
        (right, "xlsx", "Download Excel", XLSX_MIME),
    ):
        column.download_button(
            label,
            data=guarded(
                who,
                f"{target} {kind}",
                lambda kind=kind: _export(who, frame, kind, target, file_stem, settings),
            ),
            file_name=f"{file_stem}.{kind}",
            mime=mime,
            key=f"{key}_{kind}",
            on_click="ignore",
        )
