"""The pieces every page uses: the published snapshot, audited record views and the one export widget.

Exports are one click: "Download CSV" / "Download Excel" hand ``st.download_button`` a callable, which the
server runs when the browser asks for the file (``execute_deferred``), off the page's thread and without
rerunning the app. So a file is built only when asked for (an Excel file of a long roster takes seconds),
:func:`guarded` re-checks the session at that moment (idle timeout, absolute lifetime, disabled account, same
role and scope as when the page was drawn; a refusal is audited), and the export is audited with its row count
as it is built. The files pass through ``reports.exports`` (formula-injection guard; Decimals stay numbers,
dates stay dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard import session
from reports import audit, auth, formatting
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.principal import Principal
from reports.snapshot import NoSnapshotError, open_snapshot

T = TypeVar("T")
#: The widget's own bounds, wide on purpose: Streamlit refuses a date outside them silently (the field turns
#: red and the page keeps the previous date), so the page checks the real range itself and says so.
WIDGET_EARLIEST, WIDGET_LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUDITED_VIEWS_KEY = "portalytics_audited_views"


@contextmanager
def snapshot() -> Iterator:
    """A read-only connection on the published snapshot; with none published yet the page says so and
    stops."""
    try:
        with open_snapshot(session.settings()) as conn:
            yield conn
    except NoSnapshotError as exc:
        st.info(str(exc))
        st.stop()


def audit_view(
    who: Principal, target: str, row_count: int, *, detail: str | None = None, signature: object = None
) -> None:
    """Audit a view of records once per browser session and content.

    Streamlit reruns a page on every click; logging each rerun would bury the views that matter. A different
    target, range (``detail``, written to the log), filters (``signature``, not written) or row count is a new
    view and is logged.
    """
    seen: set = st.session_state.setdefault(AUDITED_VIEWS_KEY, set())
    key = (target, detail, signature, row_count)
    if key in seen:
        return
    audit.record(who, "view", target, row_count=row_count, detail=detail, settings=session.settings())
    seen.add(key)


def guarded(who: Principal, target: str, build: Callable[[], T]) -> Callable[[], T]:
    """The callable to hand ``st.download_button``: ``build()`` only if the session still holds at click time.

    Captured now (on the page's thread): the settings and this browser session's token, never its validity.
    """
    settings = session.settings()
    token = session.token()

    def data() -> T:
        auth.recheck_for_download(settings, token, who, target)
        return build()

    return data


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


def export_buttons(
    who: Principal,
    *,
    key: str,
    target: str,
    file_stem: str,
    make_csv: Callable[[], tuple[bytes, int]],
    make_excel: Callable[[], tuple[bytes, int]],
) -> None:
    """ "Download CSV" and "Download Excel" side by side, one click each; ``make_*`` build a file and its row
    count when pressed. ``target`` names what is exported in the audit log (identifiers only, never
    contents)."""
    settings = session.settings()

    def built(kind: str, make: Callable[[], tuple[bytes, int]]) -> Callable[[], bytes]:
        def build() -> bytes:
            data, rows = make()
            audit.record(who, "export", f"{target} {kind}", row_count=rows, settings=settings)
            return data

        return build

    left, right = st.columns(2)
    for column, kind, text, make, mime in (
        (left, "csv", "Download CSV", make_csv, CSV_MIME),
        (right, "xlsx", "Download Excel", make_excel, XLSX_MIME),
    ):
        column.download_button(
            text,
            data=guarded(who, f"{target} {kind}", built(kind, make)),
            file_name=f"{file_stem}.{kind}",
            mime=mime,
            key=f"{key}_{kind}",
            on_click="ignore",
        )


def download_buttons(
    who: Principal,
    frame: pd.DataFrame,
    *,
    target: str,
    file_stem: str,
    key: str,
    labelled: Iterable[str] = (),
    time_columns: Iterable[str] = (),
) -> None:
    """The export widget for a table as the page holds it: typed values, not the formatted text; the
    ``labelled`` code columns as their labels with the codes beside them, moments (``time_columns`` and any
    column of date-times off midnight) in the organisation's zone with the zone in the header
    (:func:`reports.formatting.for_export`)."""
    timezone = session.settings().org_timezone  # read now: the files are built off the page's thread
    labelled, time_columns = tuple(labelled), tuple(time_columns)

    def exported() -> pd.DataFrame:
        return formatting.for_export(frame, timezone=timezone, labelled=labelled, time_columns=time_columns)

    export_buttons(
        who,
        key=key,
        target=target,
        file_stem=file_stem,
        make_csv=lambda: (csv_file(exported()), len(frame)),
        make_excel=lambda: (excel_file(exported(), file_stem), len(frame)),
    )


def show_table(frame: pd.DataFrame, *, into: Any = st, **formats: Any) -> None:
    """``st.dataframe`` of ``frame`` in the page's words (see :func:`reports.formatting.for_display`), times
    in the organisation's zone from settings."""
    shown = formatting.for_display(frame, timezone=session.settings().org_timezone, **formats)
    into.dataframe(shown, hide_index=True)


def table_with_downloads(
    who: Principal,
    frame: pd.DataFrame,
    *,
    target: str,
    file_stem: str,
    key: str,
    codes: Iterable[str] = (),
    time_columns: Iterable[str] = (),
    **formats: Any,
) -> None:
    """A table in the page's words followed by its one-click CSV and Excel: the columns the page shows in
    words (``codes``) are words in the files too, each code in a column after them, so a file never says
    less than the table it came from."""
    codes, time_columns = tuple(codes), tuple(time_columns)
    show_table(frame, codes=codes, time_columns=time_columns, **formats)
    download_buttons(
        who, frame, target=target, file_stem=file_stem, key=key, labelled=codes, time_columns=time_columns
    )


def date_in_range(
    label: str,
    *,
    value: Any,
    key: str,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
    clamp: bool = True,
    container: Any = st,
    **options: Any,
) -> Any:
    """A date field whose out-of-range entry is said next to it, with the date the page shows instead.

    ``clamp``: the nearest allowed date is used (and named); without it the field counts as empty. ``value`` a
    pair of dates makes it a range field: each end is checked (a half-picked range is returned as it is).
    """
    picked = container.date_input(
        label, value=value, min_value=WIDGET_EARLIEST, max_value=WIDGET_LATEST, key=key, **options
    )
    if picked is None or (isinstance(picked, tuple) and len(picked) != 2):
        return picked
    days = picked if isinstance(picked, tuple) else (picked,)
    shown = []
    for day in days:
        if earliest is not None and day < earliest:
            nearest = earliest
        elif latest is not None and day > latest:
            nearest = latest
        else:
            shown.append(day)
            continue
        if earliest is not None and latest is not None:
            allowed = f"from {earliest:%Y-%m-%d} to {latest:%Y-%m-%d}"
        else:
            allowed = f"from {earliest:%Y-%m-%d}" if earliest is not None else f"up to {latest:%Y-%m-%d}"
        outcome = f"showing {nearest:%Y-%m-%d} instead." if clamp else "enter a date in that range."
        container.error(f"{label}: {day:%Y-%m-%d} is outside the allowed dates ({allowed}); {outcome}")
        if not clamp:
            return None
        shown.append(nearest)
    return tuple(shown) if isinstance(picked, tuple) else shown[0]


def label(status: str) -> str:
    return formatting.label(status)
