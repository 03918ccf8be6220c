"""Small pieces of UI shared by several pages."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from reports import auth
from reports.passwords import MIN_PASSWORD_LENGTH


def change_password_form(*, first_time: bool) -> bool:
    """The change-password form; True once the password was changed."""
    current_label = "One-time password" if first_time else "Current password"
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input(current_label, type="password", key="pw_current")
        new = st.text_input(
            "New password", type="password", key="pw_new", help=f"At least {MIN_PASSWORD_LENGTH} characters."
        )
        confirm = st.text_input("Repeat the new password", type="password", key="pw_confirm")
        submitted = st.form_submit_button("Change password", key="pw_submit")
    if not submitted:
        return False
    if new != confirm:
        st.error("The two new passwords do not match.")
        return False
    try:
        auth.change_password(session.settings(), session.token(), current, new)
    except auth.SessionEnded:
        st.rerun()
    except auth.AuthError as exc:
        st.error(str(exc))
        return False
    return True
