"""Continuing education > Attendance claims: rejected text-a-code (and QR, portal, admin) claims with the
reason.

Reasons and channels read as words, in the table and on the chart's axis; a "received" date after today is
said next to its field, with today used instead.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import charts, session
from dashboard.components import audit_view, date_in_range, export_buttons, show_table, snapshot
from domain.ce.attendance import AttendanceReason
from reports import formatting
from reports.ce import reads as ce
from reports.principal import Role

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
st.title("Attendance claims")
st.caption(
    "Claims that earned no credit, with the first rule they failed. "
    f"Times are in the organisation's time zone ({session.settings().org_timezone})."
)

filters = st.columns([3, 1, 1])
reasons = filters[0].multiselect(
    "Reason",
    [r.value for r in AttendanceReason],
    key="att_reasons",
    placeholder="All reasons",
    format_func=formatting.label,
)
today = dt.datetime.now(ZoneInfo(session.settings().org_timezone)).date()
date_from = date_in_range("Received from", value=None, key="att_from", latest=today, container=filters[1])
date_to = date_in_range("Received to", value=None, key="att_to", latest=today, container=filters[2])
if date_from and date_to and date_from > date_to:
    st.error("'Received from' is after 'Received to'.")
    st.stop()

with snapshot() as conn:
    claims = ce.rejected_claims(
        who,
        conn,
        reasons=reasons or None,
        date_from=date_from,
        date_to=date_to,
        org_timezone=session.settings().org_timezone,
    )

signature = (tuple(reasons), date_from, date_to)
audit_view(who, "ce rejected claims", len(claims), signature=signature)

st.subheader("Rejected claims per reason")
# The chart counts exactly the claims listed below: every filter (reasons and dates) applies to both.
if claims.empty:
    st.info("No rejected claims match these filters.")
else:
    per_reason = claims["reason"].value_counts().reindex([r.value for r in AttendanceReason]).dropna()
    charts.bar_chart(per_reason.astype(int).rename("claims"), x_label="reason", y_label="claims", counts=True)

st.subheader(f"{len(claims)} rejected claims")
show_table(
    claims.rename(columns=dict(ce.REJECTED_COLUMNS)),
    codes=["Reason", "Channel"],
    time_columns=["Received"],
)
zone = session.settings().org_timezone  # the files' times too, named in their header
export_buttons(
    who,
    key="att",
    target="ce rejected claims",
    file_stem="rejected-claims",
    make_csv=lambda: (ce.rejected_claims_csv(claims, zone), len(claims)),
    make_excel=lambda: (ce.rejected_claims_excel(claims, zone), len(claims)),
)
