"""Forced first step after a one-time password sign-in: nothing else is reachable until it is changed."""

import streamlit as st

from dashboard import session
from dashboard.widgets import change_password_form

who = session.principal()
st.title("Choose a new password")
st.write(
    f"Welcome, {who.username}. You signed in with a one-time password: choose your own password to continue."
)
if change_password_form(first_time=True):
    st.rerun()
if st.button("Sign out", key="signout"):
    session.sign_out()
