"""Account: who you are signed in as, change your password, sign out."""

import streamlit as st

from dashboard import session
from dashboard.widgets import change_password_form

active = session.active_session()
who = active.principal
st.title("Account")
st.write(f"Signed in as **{who.username}**, role **{who.role.value}**.")
if who.scope:
    st.write(f"Scope: {', '.join(who.scope)}")
st.caption(
    f"Session started {active.started_at:%Y-%m-%d %H:%M} UTC; "
    f"it ends at the latest {active.expires_at:%H:%M} UTC."
)

st.subheader("Change password")
if change_password_form(first_time=False):
    st.success("Your password was changed. Your other sessions were signed out.")

st.subheader("Sign out")
if st.button("Sign out", key="signout"):
    session.sign_out()
