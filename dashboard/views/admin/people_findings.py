"""Administration > Cross-portal findings: what only the joined view of one person across the portals finds.

Plan against HR (terminated but still enrolled, enrolled without an HR record), attacks across portals,
leaving staff who sign in to CE by SSO only, and the person links waiting for review.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import download_buttons, show_table, snapshot
from reports import person as people
from reports.principal import Role

who = session.require_role(Role.ADMIN)
st.title("Cross-portal findings")


def table(frame: pd.DataFrame, empty: str, name: str) -> None:
    if frame.empty:
        st.info(empty)
        return
    show_table(frame)
    download_buttons(
        who, frame, target=f"cross-portal findings {name}", file_stem=f"findings-{name}", key=name
    )


with snapshot() as conn:
    mismatches = people.plan_hr_mismatches(who, conn)
    attacks = people.cross_portal_attacks(who, conn)
    leaving = people.leaving_sso_only(who, conn)
    review = people.link_review(who, conn)

plan_tab, attack_tab, leaving_tab, review_tab = st.tabs(
    [
        f"Plan vs HR ({len(mismatches)})",
        f"Attacks across portals ({len(attacks)})",
        f"Leaving, CE by SSO only ({len(leaving)})",
        f"Links for review ({len(review)})",
    ]
)
with plan_tab:
    st.caption(
        "The employer's own plan against HR before the next 834: terminated in HR but covered past the end "
        "of "
        "the termination month, or enrolled as an employee with no HR record."
    )
    table(mismatches, "The plan and HR agree.", "plan_vs_hr")
with attack_tab:
    st.caption(
        "One IP failing on several portals within an hour between failures, or a person's successful sign-in "
        "on one portal within an hour of a lockout or stuffing burst on another. Times are in the "
        f"organisation's time zone ({session.settings().org_timezone})."
    )
    table(attacks, "No attacks across portals.", "attacks")
with leaving_tab:
    st.caption(
        "Staff with a termination date whose CE accounts sign in by SSO only and have no personal e-mail."
    )
    table(leaving, "Nobody is about to lose their CE transcript.", "leaving")
with review_tab:
    st.caption("Links below certainty, or to more than one person: never merged until someone checks them.")
    table(review, "Nothing waits for review.", "link_review")
