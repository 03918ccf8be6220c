"""Education manager > Compliance: any month-end or the latest date; the trend of % compliant per department;
by department, manager and job role; who is overdue or due soon (one row per person); one person's
requirements; every table with its one-click CSV and Excel (the overdue list's files: one row per
requirement). Only the manager's departments: the reads are scoped in ``reports``.
"""

from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import charts, session
from dashboard.components import (
    audit_view,
    download_buttons,
    export_buttons,
    label,
    show_table,
    snapshot,
    table_with_downloads,
)
from reports import clock, formatting
from reports.learning import compliance, staff_views
from reports.principal import Role

#: Grouping shown -> compliance_status column.
GROUPINGS = {"Department": "department", "Manager": "manager_person_id", "Job role": "job_role"}
STATUS_COUNTS = {
    "n_overdue": "Overdue",
    "n_due_soon": "Due soon",
    "n_compliant": "Compliant",
    "n_not_due_yet": "Not due yet",
}
PERSON_COLUMNS = {
    "name": "Person",
    "person_id": "Person ID",
    "department": "Department",
    "job_role": "Job role",
    "manager_name": "Manager",
    "days_overdue": "Days overdue",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "items": "Items (most overdue first)",
}

who = session.require_role(Role.EDUCATION_MANAGER)
settings = session.settings()
st.title("Compliance")
st.caption(f"Your departments: {', '.join(who.scope)}")

with snapshot() as conn:
    run_dates = staff_views.compliance_as_of_dates(who, conn)
    dates = staff_views.compliance_dates(who, conn)
    if not dates:
        st.info("The published data has no compliance rows for your departments.")
        st.stop()
    latest = max(run_dates) if run_dates else dates[0]
    as_of = st.selectbox(
        "As of",
        dates,
        format_func=lambda d: f"{d.isoformat()} (latest)" if d == latest else f"{d.isoformat()} (month end)",
        key="compliance_as_of",
    )
    by_label = st.radio("Compliance by", list(GROUPINGS), horizontal=True, key="compliance_by")
    by = GROUPINGS[by_label]
    summary = staff_views.compliance_summary_at(who, conn, by, as_of)
    attention = staff_views.attention_items_at(who, conn, as_of)
    trend = compliance.trend(who, conn, "department")
    people = staff_views.compliance_people_at(who, conn, as_of)
    # columns as lists, not rows: ~1,600 people of a large department, text held as Arrow
    names = {
        person_id: f"{last}, {first} ({person_id}, {department})"
        for person_id, last, first, department in zip(
            *(people[c].tolist() for c in ("person_id", "last_name", "first_name", "department")), strict=True
        )
    }
    person = st.selectbox(
        "Drill down to a person",
        list(names),
        index=None,
        placeholder="Choose a person",
        format_func=names.__getitem__,
        key="compliance_person",
    )
    person_rows = staff_views.compliance_rows_at(who, conn, as_of, person_id=person) if person else None
    if by == "manager_person_id":
        manager_names = compliance.manager_names(conn, summary[by])


def manager(name: object, person_id: object) -> str:
    """ "Mia Park (M0001)"; a manager in no directory row has only an id ("M0002"), not "M0002 (M0002)"."""
    return formatting.name_with_id(None if name == person_id else name, person_id)


today = clock.utc_now().astimezone(ZoneInfo(settings.org_timezone)).date()  # the organisation's day
if as_of == latest and as_of < today:
    st.caption(
        f"Figures are as of **{as_of.isoformat()}**, the last day of the published data (today, "
        f"{today.isoformat()}, is past it)."
    )
else:
    st.caption(f"Figures are as of **{as_of.isoformat()}**.")
audit_view(who, "compliance overdue and due-soon list", len(attention), detail=f"as of {as_of.isoformat()}")

st.subheader("Trend: % compliant by department")
if trend.empty:
    st.caption("No month-end history has been published yet.")
else:
    wide = trend.pivot(index="month_end", columns="department", values="pct_compliant").astype(float)
    wide.columns.name = "Department"
    charts.line_chart(wide, x_label="month end", y_label="% compliant", target=settings.compliance_target_pct)
    st.caption(f"Dashed line: the target, {settings.compliance_target_pct:g} % compliant.")

st.subheader(f"Compliance by {by_label.lower()}")
heading = by_label
if by == "manager_person_id":
    summary[by] = [manager(manager_names.get(m), m) for m in summary[by]]
counts = summary.set_index(by)[list(STATUS_COUNTS)].rename(columns=STATUS_COUNTS)
counts.index.name = heading
pct = summary.set_index(by)[["pct_compliant"]].astype(float).rename(columns={"pct_compliant": "% compliant"})
pct.index.name = heading
left, right = st.columns(2)
left.caption("% compliant (not-due-yet requirements left out)")
charts.bar_chart(pct, y_label="% compliant", into=left)
right.caption("Requirements per status")
charts.bar_chart(counts, y_label="requirements", into=right, colors=charts.STATUS_COLORS, counts=True)
by_group = summary.rename(
    columns={
        by: heading,
        "people": "People",
        "requirements": "Requirements",
        "pct_compliant": "% compliant",
    }
    | STATUS_COUNTS
)[[heading, "People", "Requirements", *STATUS_COUNTS.values(), "% compliant"]]
# pct_compliant is in points (40.0); the layer formats a share; the export keeps the points as a number
show_table(by_group.assign(**{"% compliant": by_group["% compliant"] / 100}), percent_columns=["% compliant"])
download_buttons(
    who,
    by_group,
    target=f"compliance by {by_label.lower()} as of {as_of.isoformat()}",
    file_stem=f"compliance_by_{by_label.lower().replace(' ', '_')}_{as_of.isoformat()}",
    key="compliance_summary",
)

st.subheader("Overdue and due soon")
# the manager as "name (id)" in the filter, the list and its export
attention = attention.assign(
    manager_name=[
        manager(n, m) for n, m in zip(attention["manager_name"], attention["manager_person_id"], strict=True)
    ]
)
left, middle, right = st.columns(3)
course_filter = left.multiselect(
    "Course", sorted(attention["course_title"].dropna().unique()), key="overdue_course"
)
role_filter = middle.multiselect(
    "Job role", sorted(attention["job_role"].dropna().unique()), key="overdue_role"
)
manager_filter = right.multiselect(
    "Manager", sorted(attention["manager_name"].dropna().unique()), key="overdue_manager"
)
items = compliance.filter_items(
    attention, courses=course_filter, job_roles=role_filter, managers=manager_filter
)
listed = compliance.by_person(items)
st.markdown(
    f"**{label('overdue')}: {int((listed['overdue'] > 0).sum())} people, {int(listed['overdue'].sum())} "
    "items** · "
    f"**{label('due_soon')}: {int(listed['due_soon'].sum())} items**"
)
if not listed.empty:
    show_table(listed[list(PERSON_COLUMNS)].rename(columns=PERSON_COLUMNS))
if not items.empty:
    # one row per requirement (the list above groups them by person), the manager as "name (id)"
    export_buttons(
        who,
        key="compliance_overdue",
        target=f"compliance overdue list as of {as_of.isoformat()}",
        file_stem=f"compliance_overdue_{as_of.isoformat()}",
        make_csv=lambda: (compliance.attention_list_csv(items), len(items)),
        make_excel=lambda: (compliance.attention_list_excel(items), len(items)),
    )

if person_rows is not None:
    st.subheader(f"Requirements of {person}")
    audit_view(who, f"compliance person {person}", len(person_rows), detail=f"as of {as_of.isoformat()}")
    requirements = pd.DataFrame(
        {
            "Requirement": person_rows["requirement_id"],
            "Course": person_rows["course_title"],
            "Status": person_rows["status"],
            "Due date": person_rows["due_date"],
            "Last completion": person_rows["last_completion"],
            "Valid until": person_rows["expires_on"],
        }
    )
    table_with_downloads(
        who,
        requirements,
        target=f"compliance person {person} as of {as_of.isoformat()}",
        file_stem=f"compliance_{person}_{as_of.isoformat()}",
        key="compliance_person_requirements",
        codes=["Status"],
    )
