"""Administration > Pipeline: "Apply now" with the run's self-refreshing status, how fresh the published data
is, every landed file, and the quarantined rows.

Reads ``reports.pipeline_status`` (admins only). Browsing quarantined rows shows raw landed data, so it is
audited as a record view.
"""

import streamlit as st

from dashboard import run_status, session
from dashboard.components import audit_view, download_buttons, show_table, snapshot, table_with_downloads
from reports import formatting, pipeline_status
from reports.clock import utc_now
from reports.materialize_launch import AlreadyRunning, materialize_running, start_materialize
from reports.principal import Role

ALL = "All"
LEDGER_COLUMNS = {
    "source": "Source",
    "file_name": "File",
    "status": "Status",
    "reason": "Reason",
    "detail": "Detail",
    "rows_read": "Rows read",
    "rows_loaded": "Loaded",
    "rows_quarantined": "Quarantined",
    "loaded_at": "Processed",
}


def age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


admin = session.require_role(Role.ADMIN)
settings = session.settings()
st.title("Pipeline")

st.subheader("Run now")
st.caption(
    "Runs `portalytics materialize` in the background: new landing files, the as-of date, CE decisions."
)
if st.button("Apply now", key="pipeline_apply_now", disabled=materialize_running(settings)):
    try:
        start_materialize(settings, admin)
    except AlreadyRunning as exc:
        st.warning(str(exc))
run_status.show(settings)

with snapshot() as conn:
    snap = pipeline_status.snapshot_info(admin, session.settings(), conn)
    fresh = pipeline_status.freshness(admin, conn)

    st.subheader("Published snapshot")
    ago = age((utc_now() - snap.published_at).total_seconds())
    zone = session.settings().org_timezone
    st.write(
        f"The dashboard reads **{snap.file_name}**, published {formatting.org_time(snap.published_at, zone)} "
        f"({ago} ago), {snap.size_bytes / 1_048_576:.1f} MB, {len(snap.tables)} tables."
    )
    show_table(fresh)
    download_buttons(admin, fresh, target="snapshot freshness", file_stem="snapshot-freshness", key="fresh")

    st.subheader("Landed files")
    picks = st.columns(2)
    ledger_source = picks[0].selectbox("Source", [ALL, *fresh.source], key="ledger_source")
    ledger_status = picks[1].selectbox("Status", [ALL, *pipeline_status.LEDGER_STATUSES], key="ledger_status")
    ledger = pipeline_status.ingest_ledger(
        admin,
        conn,
        source=None if ledger_source == ALL else ledger_source,
        status=None if ledger_status == ALL else ledger_status,
    )
    rejected = int((ledger.status == "rejected").sum())
    st.caption(f"{len(ledger)} files, {rejected} rejected whole (nothing of a rejected file is loaded).")
    ledger_table = ledger[list(LEDGER_COLUMNS)].rename(columns=LEDGER_COLUMNS)
    table_with_downloads(
        admin, ledger_table, target="ingest ledger", file_stem="landed-files", key="ledger", codes=["Status"]
    )

    st.subheader("Quarantined rows")
    reasons = pipeline_status.quarantine_reasons(admin, conn)
    if reasons.empty:
        st.info("No row has been quarantined.")
        st.stop()
    picks = st.columns(2)
    q_source = picks[0].selectbox("Source", [ALL, *sorted(set(reasons.source))], key="quarantine_source")
    of_source = reasons if q_source == ALL else reasons[reasons.source == q_source]
    q_reason = picks[1].selectbox("Reason", [ALL, *sorted(set(of_source.reason))], key="quarantine_reason")
    quarantined = pipeline_status.quarantined_rows(
        admin,
        conn,
        source=None if q_source == ALL else q_source,
        reason=None if q_reason == ALL else q_reason,
    )

shown_total = of_source if q_reason == ALL else of_source[of_source.reason == q_reason]
st.caption(
    f"{len(quarantined)} of {int(shown_total['rows'].sum())} rows shown, by file and row number. The raw row "
    "is "
    "as it landed (Learning Center user ids masked)."
)
show_table(quarantined)
audit_view(admin, f"quarantine source {q_source} reason {q_reason}", len(quarantined))
download_buttons(
    admin,
    quarantined,
    target=f"quarantine source {q_source} reason {q_reason}",
    file_stem="quarantined-rows",
    key="quarantine",
)
if len(quarantined):
    labels = [
        f"{r.source}/{r.file_name} row {r.row_number}: {r.reason}"
        for r in quarantined[["source", "file_name", "row_number", "reason"]].itertuples()
    ]
    picked = st.selectbox(
        "Raw row of", range(len(labels)), format_func=labels.__getitem__, key="quarantine_row"
    )
    st.code(quarantined.raw.iloc[picked] or "", language="json")
