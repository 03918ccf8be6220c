"""Pieces the CE pages share: the snapshot connection, audited views and audited two-step exports.

Exports are two steps ("Prepare CSV" → "Download"): the file is built, and audited with its row count, only when
asked for, not on every rerun of the page (an Excel file of a long list takes seconds). A prepared file is
dropped as soon as the filters change, so what is downloaded is always what was audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard import session
from dashboard.downloads import guarded
from reports import audit
from reports.principal import Principal
from reports.snapshot import NoSnapshotError, open_snapshot

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def snapshot() -> Iterator:
    """The published snapshot; without one the page says so and stops."""
    try:
        with open_snapshot(session.settings()) as conn:
            yield conn
    except NoSnapshotError as exc:
        st.info(str(exc))
        st.stop()


def audit_view(who: Principal, target: str, row_count: int, signature: object) -> None:
    """Audit a view once per distinct ``signature`` (page + filters), not on every rerun of the same view."""
    key = f"ce_viewed::{target}"
    if st.session_state.get(key) != signature:
        audit.record(who, "view", target, row_count=row_count, settings=session.settings())
        st.session_state[key] = signature


def export_buttons(
    who: Principal,
    key: str,
    target: str,
    file_stem: str,
    signature: object,
    make_csv: Callable[[], tuple[bytes, int]],
    make_excel: Callable[[], tuple[bytes, int]],
) -> None:
    """ "Prepare CSV" / "Prepare Excel" buttons; a prepared file is audited as an export and offered for download."""
    state_key = f"ce_export::{key}"
    prepared = st.session_state.get(state_key)
    if prepared is not None and prepared[0] != signature:
        del st.session_state[state_key]  # the filters changed: the prepared file is stale
        prepared = None
    left, right = st.columns(2)
    for column, kind, make, mime in (
        (left, "csv", make_csv, CSV_MIME),
        (right, "xlsx", make_excel, XLSX_MIME),
    ):
        label = "CSV" if kind == "csv" else "Excel"
        if column.button(f"Prepare {label}", key=f"{key}_export_{kind}"):
            data, rows = make()
            audit.record(who, "export", f"{target} {kind}", row_count=rows, settings=session.settings())
            prepared = (signature, kind, data, rows)
            st.session_state[state_key] = prepared
        if prepared is not None and prepared[1] == kind:
            column.download_button(
                f"Download {label} ({prepared[3]} rows)",
                # the file was built (and audited) on Prepare; handing it over re-checks the session too
                data=guarded(who, f"{target} {kind}", lambda data=prepared[2]: data),
                file_name=f"{file_stem}.{kind}",
                mime=mime,
                key=f"{key}_download_{kind}",
                on_click="ignore",
            )
