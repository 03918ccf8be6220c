"""Education manager > Compliance: by department, manager and job role; who is overdue or due soon; one person's
requirements; the overdue list as Excel. Only the manager's departments: the reads are scoped in ``reports``.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, session
from dashboard.downloads import guarded
from dashboard.page_support import audit_view, label, published_snapshot
from reports import staff_views
from reports.principal import Role

#: Grouping shown -> compliance_status column.
GROUPINGS = {"Department": "department", "Manager": "manager_person_id", "Job role": "job_role"}
STATUS_COUNTS = {
    "n_overdue": "Overdue",
    "n_due_soon": "Due soon",
    "n_compliant": "Compliant",
    "n_not_due_yet": "Not due yet",
}
LIST_COLUMNS = {
    "person_id": "Person ID",
    "last_name": "Last name",
    "first_name": "First name",
    "department": "Department",
    "job_role": "Job role",
    "course_title": "Course",
    "due_date": "Due date",
}

who = session.require_role(Role.EDUCATION_MANAGER)
settings = session.settings()
st.title("Compliance")
st.caption(f"Your departments: {', '.join(who.scope)}")

with published_snapshot() as conn:
    dates = staff_views.compliance_as_of_dates(who, conn)
    if not dates:
        st.info("The published data has no compliance rows for your departments.")
        st.stop()
    as_of = st.selectbox("As of", dates, format_func=dt.date.isoformat, key="compliance_as_of")
    by_label = st.radio("Compliance by", list(GROUPINGS), horizontal=True, key="compliance_by")
    by = GROUPINGS[by_label]
    summary = staff_views.compliance_summary_at(who, conn, by, as_of)
    attention = staff_views.compliance_rows_at(who, conn, as_of, statuses=("overdue", "due_soon"))
    people = staff_views.compliance_people_at(who, conn, as_of)
    names = {
        p.person_id: f"{p.last_name}, {p.first_name} ({p.person_id}, {p.department})"
        for p in people.itertuples()
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

if len(dates) == 1:
    month_end = as_of.replace(day=1) - dt.timedelta(days=1)
    st.info(
        f"Figures are as of **{as_of.isoformat()}**, the as-of date of the last pipeline run; the published "
        "snapshot holds only this date. For another date, e.g. a month end, run "
        f"`portalytics materialize --as-of {month_end.isoformat()}`: it publishes compliance as of that date "
        "(for every dashboard user, until the next run)."
    )
else:
    st.caption(f"Figures are as of **{as_of.isoformat()}**.")
audit_view(who, "compliance overdue and due-soon list", len(attention), detail=f"as of {as_of.isoformat()}")

st.subheader(f"Compliance by {by_label.lower()}")
heading = f"{by_label} (person ID)" if by == "manager_person_id" else by_label
counts = summary.set_index(by)[list(STATUS_COUNTS)].rename(columns=STATUS_COUNTS)
counts.index.name = heading
pct = summary.set_index(by)[["pct_compliant"]].astype(float).rename(columns={"pct_compliant": "% compliant"})
pct.index.name = heading
left, right = st.columns(2)
left.caption("% compliant (not-due-yet requirements left out)")
charts.bar_chart(pct, y_label="% compliant", into=left)
right.caption("Requirements per status")
charts.bar_chart(counts, y_label="requirements", into=right)
st.dataframe(
    summary.rename(
        columns={
            by: heading,
            "people": "People",
            "requirements": "Requirements",
            "pct_compliant": "% compliant",
        }
        | STATUS_COUNTS
    )[[heading, "People", "Requirements", *STATUS_COUNTS.values(), "% compliant"]],
    hide_index=True,
)

st.subheader("Overdue and due soon")
for status in ("overdue", "due_soon"):
    rows = attention[attention["status"] == status]
    st.markdown(f"**{label(status)}: {len(rows)}**")
    if not rows.empty:
        st.dataframe(rows[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS), hide_index=True)
st.download_button(
    "Download the overdue and due-soon list (Excel)",
    # Deferred: built, and the export audited, only when pressed.
    data=guarded(
        who,
        f"compliance overdue list {as_of.isoformat()}",
        lambda: staff_views.attention_list_download(who, attention, as_of, settings=settings),
    ),
    file_name=f"compliance_overdue_{as_of.isoformat()}.xlsx",
    mime=staff_views.XLSX_MIME,
    on_click="ignore",
    key="compliance_overdue_xlsx",
    disabled=attention.empty,
)

if person_rows is not None:
    st.subheader(f"Requirements of {person}")
    audit_view(who, f"compliance person {person}", len(person_rows), detail=f"as of {as_of.isoformat()}")
    st.dataframe(
        pd.DataFrame(
            {
                "Requirement": person_rows["requirement_id"],
                "Course": person_rows["course_title"],
                "Status": person_rows["status"].map(label),
                "Due date": person_rows["due_date"],
                "Last completion": person_rows["last_completion"],
                "Valid until": person_rows["expires_on"],
            }
        ),
        hide_index=True,
    )
