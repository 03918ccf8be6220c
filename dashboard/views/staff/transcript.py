"""My transcript: Learning Center completions, CE credits and uploaded external credits, newest first.

The table, the totals and both downloads come from one ``reports.learning.transcripts.Transcript``, so the
numbers on screen, in the PDF and in the workbook are the same. The files (CSV, Excel, PDF of the items; CSV
and Excel of the totals) are built, and the export audited, only when a download button is pressed. Credit
types read as words ("AMA PRA Category 1 Credit") on screen and in every file (the item files carry the code
too); an empty cell reads "—"; a date range ending after today is said next to the field, with today used
instead.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import session
from dashboard.components import audit_view, date_in_range, download_buttons, guarded, show_table, snapshot
from reports.credentials import transcript_vc
from reports.learning import staff_views
from reports.learning.transcripts import COMPLETE_HISTORY, load_transcript
from reports.principal import NotPermitted, Role

DATE_RANGE = "Date range"

who = session.require_role(Role.STAFF)
settings = session.settings()
st.title("My transcript")

span = st.radio("Show", [COMPLETE_HISTORY, DATE_RANGE], horizontal=True, key="transcript_span")
date_from = date_to = None
if span == DATE_RANGE:
    today = dt.datetime.now(ZoneInfo(settings.org_timezone)).date()
    picked = date_in_range(
        "From and to (both included)",
        value=(today.replace(month=1, day=1), today),
        key="transcript_range",
        latest=today,  # nothing is completed in the future
        format="YYYY-MM-DD",
    )
    if len(picked) != 2:  # the calendar returns one date until the end of the range is picked
        st.info("Pick the last day of the range.")
        st.stop()
    date_from, date_to = picked

with snapshot() as conn:
    try:
        transcript = load_transcript(
            who, conn, who.scope_value or "", date_from, date_to, org_timezone=settings.org_timezone
        )
    except NotPermitted:
        st.warning(
            "Your sign-in is not linked to a person in the Learning Center roster. Ask an administrator to "
            "check the person ID on your dashboard account."
        )
        st.stop()

audit_view(
    who, f"transcript person {transcript.person_id}", len(transcript.items), detail=transcript.range_label
)
st.caption(f"{transcript.name} · {transcript.range_label} · {len(transcript.items)} items, newest first")

if transcript.items:
    show_table(transcript.items_frame())  # credit types already in words (the Transcript's rows)
else:
    st.info("No completed items in this range.")

buttons = st.columns(3)
for column, kind, text in zip(
    buttons, ("csv", "xlsx", "pdf"), ("Download CSV", "Download Excel", "Download PDF"), strict=True
):
    column.download_button(
        text,
        # Deferred: rendered, and the export audited, only when pressed.
        data=guarded(
            who,
            f"transcript person {transcript.person_id} {kind}",
            lambda kind=kind: staff_views.transcript_download(who, transcript, kind, settings=settings),
        ),
        file_name=staff_views.transcript_file_name(transcript, kind),
        mime=staff_views.TRANSCRIPT_FORMATS[kind][1],
        on_click="ignore",
        key=f"transcript_{kind}",
    )

st.subheader("Totals")
totals = transcript.totals_frame()  # "Credits: AMA PRA Category 1 Credit", as in the PDF and the workbook
show_table(totals)
download_buttons(
    who,
    totals,
    target=f"transcript totals person {transcript.person_id} {transcript.range_label}",
    file_stem=staff_views.transcript_file_name(transcript, "csv").removesuffix(".csv") + "_totals",
    key="transcript_totals",
)

st.download_button(
    "Download verifiable credential",
    # Deferred like the others: the credential is signed, registered for revocation and audited when pressed.
    data=lambda: transcript_vc.issue(settings, who, transcript).encode("ascii"),
    file_name=transcript_vc.file_name(transcript),
    mime=transcript_vc.MIME,
    on_click="ignore",
    key="transcript_credential",
    help="This transcript as an Open Badges 3.0 credential signed by the organisation: a credentialing "
    "office "
    "can check it (`portalytics credential verify`) without calling the CE office.",
)
