"""Employer > Enrollment roster: the group's subscribers and dependents on a date, adds and terms in a period,
and subscribers and members by plan and tier month by month.

Scope (one employer_id) is enforced in ``reports.health_plan.reads``: this page never receives another
employer's rows. Every download is audited with its row count; showing the roster is audited as a view of the
members' records. Defaults follow the data: the roster date is today or the data's last day when today is past
it, and adds and terms default to the last full month before that day (the page says which day). The
relationship reads "Subscriber", "Spouse", "Child" or "Other dependent", on the page and in the files (the
code beside it there); a date outside what a field allows is said next to it, with the date used instead.
"""

import pandas as pd
import streamlit as st

from dashboard import charts, session
from dashboard.components import audit_view, date_in_range, snapshot, table_with_downloads
from domain.plan_periods import default_day, last_full_month
from reports import formatting
from reports.health_plan import reads as health_plan
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
COUNT_COLUMNS = {
    "month_end": "Month end",
    "plan_id": "Plan",
    "coverage_tier": "Tier",
    "subscribers": "Subscribers",
    "members": "Members",
}
#: How many month-ends the enrollment chart shows by default (ending with the last full month).
CHART_MONTHS = 12


def shown(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return frame[list(columns)].rename(columns=columns).reset_index(drop=True)


def month_chart(counts: pd.DataFrame, measure: str) -> None:
    """Stacked bars: one bar per month-end, one colour per plan and tier."""
    tiers = [formatting.label(t) for t in counts.coverage_tier]  # "Family", not FAM, in the legend
    wide = counts.assign(series=counts.plan_id + " · " + tiers).pivot_table(
        index="month_end", columns="series", values=measure, aggfunc="sum", fill_value=0
    )
    wide.columns.name = "Plan · tier"
    charts.bar_chart(wide, y_label=measure.capitalize(), x_label="Month end")


who = session.require_role(Role.EMPLOYER)
employer = who.scope_value
settings = session.settings()
st.title("Enrollment roster")
today = health_plan.viewing(settings=settings).on  # the organisation's calendar day

with snapshot() as conn:
    last_day = health_plan.data_last_day(conn, settings.org_timezone)
    day = default_day(today, last_day)
    month_start, month_end = last_full_month(day)
    if day != today:
        st.caption(
            f"The plan's data runs to {day:%Y-%m-%d}: dates and periods below start from that day "
            f"(last full month: {month_start:%B %Y})."
        )
    on = date_in_range("Roster as of", value=day, key="roster_on", latest=last_day)
    roster = health_plan.roster_as_of(who, conn, on)
    name = roster.employer_name.iloc[0] if len(roster) else None
    st.caption(f"Employer {name} ({employer})" if name else f"Employer {employer}")

    subscribers = int((roster.relationship == "self").sum())
    metrics = st.columns(3)
    metrics[0].metric("Members", len(roster))
    metrics[1].metric("Subscribers", subscribers)
    metrics[2].metric("Dependents", len(roster) - subscribers)
    table = shown(roster, COLUMNS)
    if table.empty:
        st.info(f"No member of your group has coverage on {on:%Y-%m-%d}.")
    else:
        audit_view(who, f"enrollment roster {employer} as of {on}", len(table))
        table_with_downloads(  # "Family", not FAM
            who,
            table,
            target=f"enrollment roster {employer} as of {on}",
            file_stem=f"roster_{employer}_{on:%Y%m%d}",
            key="roster",
            codes=["Tier", "Relationship"],
        )

    st.subheader("Adds and terms")
    period = st.columns(2)
    # no upper bound (a term can be dated ahead); a period cannot end before it starts
    start = date_in_range("From", value=month_start, key="changes_from", container=period[0])
    end = date_in_range("To", value=month_end, key="changes_to", earliest=start, container=period[1])
    changes = health_plan.adds_and_terms(who, conn, start, end)

    changes_table = shown(changes, CHANGE_COLUMNS)
    adds = int((changes.change == "add").sum())
    st.caption(f"{adds} added, {len(changes) - adds} ended between {start:%Y-%m-%d} and {end:%Y-%m-%d}.")
    if not changes_table.empty:
        audit_view(who, f"adds and terms {employer} {start} to {end}", len(changes_table))
        table_with_downloads(  # "Added" / "Ended"
            who,
            changes_table,
            target=f"adds and terms {employer} {start} to {end}",
            file_stem=f"adds_terms_{employer}_{start:%Y%m%d}_{end:%Y%m%d}",
            key="changes",
            codes=["Change", "Tier", "Relationship"],
        )

    st.subheader("Enrollment by month")
    months = st.columns(2)
    first_month = (month_start - pd.DateOffset(months=CHART_MONTHS - 1)).date()
    # no month-end after the data's last day has counts yet
    counts_from = date_in_range(
        "Months from", value=first_month, key="counts_from", latest=last_day, container=months[0]
    )
    counts_to = date_in_range(
        "Months to", value=month_end, key="counts_to", latest=last_day, container=months[1]
    )
    try:
        counts = health_plan.enrollment_by_month(who, conn, counts_from, counts_to)
    except ValueError as exc:
        st.error(str(exc))
        st.stop()
    if counts.empty:
        st.info(
            f"No member of your group was covered at a month-end from {counts_from:%B %Y} to "
            f"{counts_to:%B %Y}."
        )
        st.stop()
    measure = st.radio(
        "Count", ["members", "subscribers"], format_func=str.capitalize, horizontal=True, key="counts_measure"
    )
    month_chart(counts, measure)
    counts_table = shown(counts, COUNT_COLUMNS)
    audit_view(who, f"enrollment by month {employer} {counts_from} to {counts_to}", len(counts_table))
    table_with_downloads(
        who,
        counts_table,
        target=f"enrollment by month {employer} {counts_from} to {counts_to}",
        file_stem=f"enrollment_by_month_{employer}_{counts_from:%Y%m}_{counts_to:%Y%m}",
        key="counts",
        codes=["Tier"],
    )
