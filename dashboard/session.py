"""The Streamlit side of sign-in: the session token lives in ``st.session_state``, checked on every rerun.

The router calls :func:`current_session` once per run (enforcing the idle timeout and absolute lifetime in the
state store); pages call :func:`principal` to learn who is asking and :func:`require_role` to refuse others.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from domain.settings import Settings, get_settings
from reports import auth
from reports.principal import Principal, Role

TOKEN_KEY = "portalytics_session_token"  # noqa: S105 (a key name, not a secret)
ACTIVE_KEY = "portalytics_active_session"
NOTICE_KEY = "portalytics_notice"
OIDC_REFUSED_KEY = "portalytics_oidc_refused"


def settings() -> Settings:
    return get_settings()


def organization_id_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section: an identity provider is configured."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def _oidc_email() -> str | None:
    if not organization_id_configured() or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    return str(email) if email else None


def _try_organization_id() -> None:
    """Turn an identity-provider login (st.user) into a dashboard session, once per browser session.

    Only the provider's ``email`` claim with ``email_verified`` true signs anyone in (reports.auth decides).
    """
    email = _oidc_email()
    if email is None or st.session_state.get(OIDC_REFUSED_KEY) == email:
        return
    try:
        signed_in = auth.sign_in_with_organization_id(
            settings(), email, email_verified=st.user.get("email_verified") is True
        )
    except auth.AuthError as exc:
        st.session_state[OIDC_REFUSED_KEY] = email
        st.session_state[NOTICE_KEY] = str(exc)
        return
    st.session_state[TOKEN_KEY] = signed_in.token


def current_session() -> auth.ActiveSession | None:
    """The signed-in session of this browser tab, validated now; None when signed out (a notice says why)."""
    st.session_state.pop(ACTIVE_KEY, None)
    if not st.session_state.get(TOKEN_KEY):
        _try_organization_id()
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return None
    try:
        active = auth.check_session(settings(), token)
    except auth.SessionEnded as exc:
        del st.session_state[TOKEN_KEY]
        st.session_state[NOTICE_KEY] = str(exc)
        if _oidc_email() is not None:
            # Otherwise the identity cookie would silently sign the person in again, defeating the timeout.
            st.logout()
        return None
    st.session_state[ACTIVE_KEY] = active
    return active


def start(signed_in: auth.SignedIn) -> None:
    st.session_state[TOKEN_KEY] = signed_in.token
    st.session_state.pop(NOTICE_KEY, None)


def token() -> str:
    value = st.session_state.get(TOKEN_KEY)
    if not value:
        st.stop()
    return value


def active_session() -> auth.ActiveSession:
    active = st.session_state.get(ACTIVE_KEY)
    if active is None:  # a page run without the router having signed anyone in
        st.error("Please sign in.")
        st.stop()
    return active


def principal() -> Principal:
    return active_session().principal


def require_role(*roles: Role) -> Principal:
    """The principal, if its role is one of ``roles``; otherwise the page stops with a plain message."""
    who = principal()
    if who.role not in roles:
        st.error("This page is not available to your role.")
        st.stop()
    return who


def pop_notice() -> str | None:
    return st.session_state.pop(NOTICE_KEY, None)


def sign_out() -> None:
    value = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(ACTIVE_KEY, None)
    if value:
        auth.sign_out(settings(), value)
    st.session_state[NOTICE_KEY] = "You signed out."
    if _oidc_email() is not None:
        st.logout()
    st.rerun()
