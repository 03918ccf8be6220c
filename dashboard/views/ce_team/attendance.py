"""Continuing education > Attendance claims: rejected text-a-code (and QR, portal, admin) claims with the reason."""

import streamlit as st

from dashboard import charts, session
from dashboard.ce_widgets import audit_view, export_buttons, snapshot
from domain.ce.attendance import AttendanceReason
from reports.ce import reads as ce
from reports.principal import Role

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
st.title("Attendance claims")
st.caption("Claims that earned no credit, with the first rule they failed. Times are UTC.")

filters = st.columns([3, 1, 1])
reasons = filters[0].multiselect(
    "Reason", [r.value for r in AttendanceReason], key="att_reasons", placeholder="All reasons"
)
date_from = filters[1].date_input("Received from", value=None, key="att_from")
date_to = filters[2].date_input("Received to", value=None, key="att_to")
if date_from and date_to and date_from > date_to:
    st.error("'Received from' is after 'Received to'.")
    st.stop()

with snapshot() as conn:
    claims = ce.rejected_claims(who, conn, reasons=reasons or None, date_from=date_from, date_to=date_to)

signature = (tuple(reasons), date_from, date_to)
audit_view(who, "ce rejected claims", len(claims), signature)

st.subheader("Rejected claims per reason")
# The chart counts exactly the claims listed below: every filter (reasons and dates) applies to both.
if claims.empty:
    st.info("No rejected claims match these filters.")
else:
    per_reason = claims["reason"].value_counts().reindex([r.value for r in AttendanceReason]).dropna()
    charts.bar_chart(per_reason.astype(int).rename("claims"), x_label="reason", y_label="claims", counts=True)

st.subheader(f"{len(claims)} rejected claims")
st.dataframe(
    claims.rename(columns=dict(ce.REJECTED_COLUMNS)),
    hide_index=True,
    column_config={"Received (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
)
export_buttons(
    who,
    "att",
    "ce rejected claims",
    "rejected-claims",
    signature,
    lambda: (ce.rejected_claims_csv(claims), len(claims)),
    lambda: (ce.rejected_claims_excel(claims), len(claims)),
)
