"""Account: who you are signed in as, change your password, sign out."""

import streamlit as st

from dashboard import session
from dashboard.widgets import change_password_form
from reports import formatting

active = session.active_session()
who = active.principal
st.title("Account")
st.write(f"Signed in as **{who.username}**, role **{formatting.label(who.role.value)}**.")
if who.scope:
    st.write(f"Scope: {', '.join(who.scope)}")
zone = session.settings().org_timezone
st.caption(
    f"Session started {formatting.org_time(active.started_at, zone)}; "
    f"it ends at the latest {formatting.org_time(active.expires_at, zone)}."
)

st.subheader("Change password")
if change_password_form(first_time=False):
    st.success("Your password was changed. Your other sessions were signed out.")

st.subheader("Sign out")
if st.button("Sign out", key="signout"):
    session.sign_out()
