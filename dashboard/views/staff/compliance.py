"""My compliance: each required training that applies to me, its status and due date, as of the last run."""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import audit_view, snapshot, table_with_downloads
from reports.learning import staff_views
from reports.principal import Role

who = session.require_role(Role.STAFF)
st.title("My compliance")

with snapshot() as conn:
    dates = staff_views.compliance_as_of_dates(who, conn)
    rows = staff_views.compliance_rows_at(who, conn, dates[0]) if dates else None

if rows is None or rows.empty:
    st.info("No required training applies to you in the published data.")
    st.stop()

as_of = dates[0]
audit_view(who, f"compliance person {who.scope_value}", len(rows), detail=f"as of {as_of.isoformat()}")
st.caption(f"Status as of {as_of.isoformat()}, the date of the last data update.")

overdue = int((rows["status"] == "overdue").sum())
due_soon = int((rows["status"] == "due_soon").sum())
if overdue:
    st.error(f"{overdue} required training{'s are' if overdue > 1 else ' is'} overdue.")
if due_soon:
    st.warning(f"{due_soon} required training{'s are' if due_soon > 1 else ' is'} due soon.")
if not overdue and not due_soon:
    st.success("You are up to date with your required training.")

mine = pd.DataFrame(
    {
        "Requirement": rows["requirement_id"],
        "Course": rows["course_title"],
        "Status": rows["status"],
        "Due date": rows["due_date"],
        "Last completion": rows["last_completion"],
        "Valid until": rows["expires_on"],
    }
)
table_with_downloads(
    who,
    mine,
    target=f"compliance person {who.scope_value}",
    file_stem=f"compliance_{who.scope_value}_{as_of:%Y%m%d}",
    key="my_compliance",
    codes=["Status"],
)
