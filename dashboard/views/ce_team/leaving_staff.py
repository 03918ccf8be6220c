"""Continuing education > Leaving staff: people with a termination date in HR whose CE accounts sign in by SSO
only and carry no personal e-mail. Without one they lose their CE transcript with the SSO account: ask them to
add a personal e-mail before they go.
"""

import streamlit as st

from dashboard import session
from dashboard.components import download_buttons, show_table, snapshot
from reports import person as people
from reports.principal import Role

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
st.title("Leaving staff")
st.caption("Termination date in HR, CE by SSO only, no personal e-mail on any of their CE accounts.")
with snapshot() as conn:
    leaving = people.leaving_sso_only(who, conn)
if leaving.empty:
    st.info("Nobody is about to lose their CE transcript.")
else:
    show_table(leaving)
    download_buttons(who, leaving, target="ce leaving staff", file_stem="leaving-staff", key="leaving")
