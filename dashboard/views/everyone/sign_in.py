"""Sign in with a dashboard username and password (or an Organization ID when one is configured)."""

import streamlit as st

from dashboard import session
from reports import auth

st.title("Sign in to portalytics")
if notice := session.pop_notice():
    st.info(notice)

with st.form("sign_in"):
    username = st.text_input("Username", key="signin_username")
    password = st.text_input("Password", type="password", key="signin_password")
    submitted = st.form_submit_button("Sign in", key="signin_submit")
if submitted:
    try:
        signed_in = auth.sign_in(session.settings(), username, password)
    except auth.AuthError as exc:
        st.error(str(exc))
    else:
        session.start(signed_in)
        st.rerun()

if session.organization_id_configured():
    st.divider()
    st.button("Sign in with your Organization ID", key="signin_oidc", on_click=st.login)
    if st.user.get("is_logged_in"):
        st.button("Sign out of your Organization ID", key="signout_oidc", on_click=st.logout)

with st.expander("I have a password reset code"):
    with st.form("reset_with_code", clear_on_submit=True):
        code = st.text_input("Reset code", type="password", key="reset_code")
        new = st.text_input("New password", type="password", key="reset_new")
        confirm = st.text_input("Repeat the new password", type="password", key="reset_confirm")
        reset = st.form_submit_button("Set new password", key="reset_submit")
    if reset:
        if new != confirm:
            st.error("The two new passwords do not match.")
        else:
            try:
                name = auth.reset_password_with_token(session.settings(), code, new)
            except auth.AuthError as exc:
                st.error(str(exc))
            else:
                st.success(f"Password changed for {name}. Sign in with your new password.")
