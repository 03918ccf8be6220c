"""The CE team's "Reporting out" downloads: the ACCME PARS learner upload and the CE Broker roster.

The same files as ``portalytics export pars|ce-broker`` (``reports.exports.ce_uploads``). Each is built, and
audited with its row count, only when "Prepare" is pressed; the upload and its error list are then offered.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import session
from domain.ce.uploads import CeBrokerPolicy
from reports import audit
from reports.exports import ce_uploads
from reports.principal import Principal


def _offer(key: str, files: list[tuple[str, bytes, str, str]]) -> None:
    columns = st.columns(len(files))
    for column, (label, data, name, mime) in zip(columns, files, strict=True):
        column.download_button(
            label, data=data, file_name=name, mime=mime, key=f"{key}_{name}", on_click="ignore"
        )


def render(who: Principal, conn, years: list[int]) -> None:
    """Called from the Credit totals page, inside its snapshot connection."""
    settings = session.settings()
    st.subheader("Reporting out")
    st.caption(
        "Accredited credits only (no participation); merged accounts report as their survivor. Rows the "
        "receiver would reject are listed in the error file with the reason."
    )
    this_year = dt.datetime.now(ZoneInfo(settings.org_timezone)).year  # the organisation's, not the server's
    pars_col, broker_col = st.columns(2)
    year = pars_col.selectbox("PARS reporting year", years or [this_year], key="uploads_pars_year")
    if pars_col.button("Prepare PARS upload", key="uploads_pars_prepare"):
        upload = ce_uploads.pars_export(who, conn, int(year))
        audit.record(
            who, "export", f"pars learner upload {year}", row_count=len(upload.rows), settings=settings
        )
        st.session_state["uploads_pars"] = (
            year,
            len(upload.rows),
            len(upload.errors),
            ce_uploads.pars_text(upload),
            ce_uploads.errors_csv(upload),
        )
    prepared = st.session_state.get("uploads_pars")
    if prepared and prepared[0] == year:
        _, rows, errors, text, problems = prepared
        pars_col.caption(f"{rows} learner rows, {errors} rejected")
        with pars_col:
            _offer(
                "uploads_pars",
                [
                    ("PARS upload (.txt)", text, f"pars-{year}.txt", ce_uploads.TEXT_MIME),
                    ("Errors (.csv)", problems, f"pars-{year}.errors.csv", ce_uploads.CSV_MIME),
                ],
            )

    start = broker_col.date_input("CE Broker from", value=dt.date(this_year, 1, 1), key="uploads_broker_from")
    end = broker_col.date_input("CE Broker to", value=dt.date(this_year, 12, 31), key="uploads_broker_to")
    if not settings.ce_broker_provider_number:
        broker_col.caption("PORTALYTICS_CE_BROKER_PROVIDER_NUMBER is not set: column A will be empty.")
    if broker_col.button("Prepare CE Broker roster", key="uploads_broker_prepare", disabled=start > end):
        policy = CeBrokerPolicy(provider_number=settings.ce_broker_provider_number.strip())
        upload = ce_uploads.ce_broker_export(who, conn, start, end, policy)
        target = f"ce broker roster {start.isoformat()}..{end.isoformat()}"
        audit.record(who, "export", target, row_count=len(upload.rows), settings=settings)
        st.session_state["uploads_broker"] = (
            (start, end),
            len(upload.rows),
            len(upload.errors),
            ce_uploads.ce_broker_xlsx(upload),
            ce_uploads.errors_csv(upload),
        )
    prepared = st.session_state.get("uploads_broker")
    if prepared and prepared[0] == (start, end):
        _, rows, errors, book, problems = prepared
        broker_col.caption(f"{rows} licensee rows, {errors} rejected")
        stem = f"ce-broker-{start.isoformat()}-{end.isoformat()}"
        with broker_col:
            _offer(
                "uploads_broker",
                [
                    ("CE Broker roster (.xlsx)", book, f"{stem}.xlsx", ce_uploads.XLSX_MIME),
                    ("Errors (.csv)", problems, f"{stem}.errors.csv", ce_uploads.CSV_MIME),
                ],
            )
