"""Employer > Enrollment roster: the group's subscribers and dependents on a date, adds and terms in a period.

Scope (one employer_id) is enforced in ``reports.health_plan``: this page never receives another employer's
rows. Every download is audited with its row count; showing the roster is audited as a view of the members'
records.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.page_support import audit_view, published_snapshot
from dashboard.table_exports import download_buttons
from reports import health_plan
from reports.clock import utc_now
from reports.principal import Role

#: Roster columns as the page (and its downloads) show them.
COLUMNS = {
    "member_id": "Member ID",
    "subscriber_id": "Subscriber ID",
    "relationship": "Relationship",
    "first_name": "First name",
    "last_name": "Last name",
    "coverage_tier": "Tier",
    "plan_id": "Plan",
    "coverage_start": "Coverage start",
    "coverage_end": "Coverage end",
}
CHANGE_COLUMNS = {"change": "Change", "change_date": "Date", **COLUMNS}


def shown(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return frame[list(columns)].rename(columns=columns).reset_index(drop=True)


who = session.require_role(Role.EMPLOYER)
employer = who.scope_value
st.title("Enrollment roster")
today = utc_now().date()

with published_snapshot() as conn:
    on = st.date_input("Roster as of", value=today, key="roster_on")
    roster = health_plan.roster_as_of(who, conn, on)
    name = roster.employer_name.iloc[0] if len(roster) else None
    st.caption(f"Employer {name} ({employer})" if name else f"Employer {employer}")

    subscribers = int((roster.relationship == "self").sum())
    counts = st.columns(3)
    counts[0].metric("Members", len(roster))
    counts[1].metric("Subscribers", subscribers)
    counts[2].metric("Dependents", len(roster) - subscribers)
    table = shown(roster, COLUMNS)
    if table.empty:
        st.info(f"No member of your group has coverage on {on:%Y-%m-%d}.")
    else:
        st.dataframe(table, hide_index=True)
        audit_view(who, f"enrollment roster {employer} as of {on}", len(table))
        download_buttons(
            who,
            table,
            target=f"enrollment roster {employer} as of {on}",
            file_stem=f"roster_{employer}_{on:%Y%m%d}",
            key="roster",
        )

    st.subheader("Adds and terms")
    period = st.columns(2)
    start = period[0].date_input("From", value=today.replace(day=1), key="changes_from")
    end = period[1].date_input("To", value=today, key="changes_to")
    try:
        changes = health_plan.adds_and_terms(who, conn, start, end)
    except ValueError as exc:
        st.error(str(exc))
        st.stop()

changes_table = shown(changes, CHANGE_COLUMNS)
adds = int((changes.change == "add").sum())
st.caption(f"{adds} added, {len(changes) - adds} ended between {start:%Y-%m-%d} and {end:%Y-%m-%d}.")
if not changes_table.empty:
    st.dataframe(changes_table, hide_index=True)
    audit_view(who, f"adds and terms {employer} {start} to {end}", len(changes_table))
    download_buttons(
        who,
        changes_table,
        target=f"adds and terms {employer} {start} to {end}",
        file_stem=f"adds_terms_{employer}_{start:%Y%m%d}_{end:%Y%m%d}",
        key="changes",
    )
