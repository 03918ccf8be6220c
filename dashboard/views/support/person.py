"""Person (administrators and the help desk): one person across the four portals.

Find a person by name, person_id, e-mail, CE account, member id or portal user name; then their accounts on
every portal (with how each was linked), recent sign-in problems, Learning Center compliance, CE transcript
and duplicate accounts, and plan coverage. Every view is audited. The reads (``reports.person``) decide what a
role sees: the help desk never gets a claim line or the lc_user_id. Codes read as words, a link's probability
as a percentage, empty cells as "—", times in the organisation's zone; each table downloads as CSV or Excel
(the files keep the codes and numbers).
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import snapshot, table_with_downloads
from reports import audit, formatting
from reports import person as people
from reports.principal import Role

who = session.require_role(Role.ADMIN, Role.SUPPORT)
st.title("Person")
st.caption("One person across the Learning Center, CE portal, health plan and patient portal.")


#: Columns of the person's tables that hold codes (portals, link methods, statuses, credit types, tiers...).
CODES = [
    "source",
    "portal",
    "method",
    "status",
    "credit_type",
    "relationship",
    "coverage_tier",
    "classification",
]


def table(frame: pd.DataFrame, empty: str, part: str) -> None:
    if frame.empty:
        st.info(empty)
        return
    table_with_downloads(
        who,
        frame,
        target=f"person {person_key} {part}",
        file_stem=f"person_{person_key}_{part}",
        key=part,
        codes=CODES,
        percent_columns=["probability"],
    )


query = st.text_input(
    "Find a person",
    key="person_query",
    placeholder="name, person_id, e-mail, account, member id or user name",
)
with snapshot() as conn:
    try:
        found = people.find_people(who, conn, query) if query else pd.DataFrame()
    except people.NoPersonLinks as exc:
        st.info(str(exc))
        st.stop()
    if not query:
        st.stop()
    if found.empty:
        st.info("Nobody matches.")
        st.stop()
    names = {
        r.person_id: f"{r.last_name}, {r.first_name} ({r.person_id}, {r.department})"
        for r in found.itertuples()
    }
    person_key = st.selectbox("Person", list(names), format_func=names.__getitem__, key="person_pick")
    view = people.person_view(who, conn, person_key, org_timezone=session.settings().org_timezone)

shown = sum(
    len(f)
    for f in (view.links, view.sign_in_problems, view.compliance, view.ce_transcript, view.plan_coverage)
)
audit.record(who, "view", f"person {person_key}", row_count=shown, settings=session.settings())

p = view.person
st.subheader(f"{p['first_name']} {p['last_name']} ({p['person_id']})")
facts = (
    f"{formatting.text(p['job_role'])}, {formatting.text(p['department'])} · hired "
    f"{formatting.org_date(p['hire_date'])}"
)
if p.get("termination_date") is not None and not pd.isna(p["termination_date"]):
    facts += f" · termination date {formatting.org_date(p['termination_date'])}"
if "lc_user_id_masked" in p:  # administrators only; never whole
    facts += f" · Learning Center ID {p['lc_user_id_masked']}"
st.caption(facts)

if not view.findings.empty:
    st.warning(f"{len(view.findings)} finding(s) about this person")
    table(view.findings, "", "findings")

accounts, problems, compliance, ce, plan = st.tabs(
    [
        f"Accounts ({len(view.links)})",
        f"Sign-in problems ({len(view.sign_in_problems)})",
        f"Compliance ({len(view.compliance)})",
        f"CE transcript ({len(view.ce_transcript)})",
        f"Plan coverage ({len(view.plan_coverage)})",
    ]
)
with accounts:
    st.caption("Each link with how it was made; links below certainty wait for review and are never merged.")
    table(view.links, "No linked accounts.", "links")
    if not view.review.empty:
        st.markdown("**For review (not linked)**")
        table(view.review, "", "review")
with problems:
    st.caption("Lockouts, reset links not completed in time, and reset loops of this person's user names.")
    table(view.sign_in_problems, "No sign-in problems.", "sign_in_problems")
with compliance:
    table(view.compliance, "No Learning Center requirements.", "compliance")
with ce:
    table(view.ce_transcript, "No CE or external credits.", "ce_transcript")
    st.markdown("**Duplicate CE accounts**")
    table(
        view.duplicate_accounts, "None of this person's CE accounts is in a duplicate cluster.", "duplicates"
    )
with plan:
    st.caption("Coverage only: plan, tier and dates.")
    table(view.plan_coverage, "Not a plan member.", "plan_coverage")
