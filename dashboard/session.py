"""The Streamlit side of sign-in: the session token lives in ``st.session_state``, checked on every rerun.

The router calls :func:`current_session` once per run (enforcing the idle timeout and absolute lifetime in the
state store); pages call :func:`principal` to learn who is asking and :func:`require_role` to refuse others.

A browser keeps its session across a reload and in new tabs through the ``portalytics_session`` cookie
(signed, HttpOnly, SameSite=Strict; reports/session_cookie.py): a tab without a token resumes from the cookie
its browser sent, once per cookie value; a sign-in has the page set the cookie and a sign-out has it cleared,
through the routes in dashboard/session_routes.py (:func:`sync_browser_cookie` draws the request).
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard.session_routes import END_PATH, START_PATH
from domain.settings import Settings, get_settings
from reports import auth, session_cookie
from reports.principal import Principal, Role

TOKEN_KEY = "portalytics_session_token"  # noqa: S105 (a key name, not a secret)
ACTIVE_KEY = "portalytics_active_session"
NOTICE_KEY = "portalytics_notice"
OIDC_REFUSED_KEY = "portalytics_oidc_refused"
#: The cookie value this tab has already tried to resume from (a signed-out or ended one is not tried again).
COOKIE_TRIED_KEY = "portalytics_cookie_tried"
#: What the browser's cookie needs next: ``("set", ticket)`` after a sign-in, ``("clear",)`` after a sign-out.
COOKIE_ACTION_KEY = "portalytics_cookie_action"


#: The settings of the environment they were read from: several reads per rerun otherwise parse the
#: environment anew each time (~1 ms each). Keyed by every ``PORTALYTICS_*`` variable, so a changed
#: environment is seen.
_settings_cache: dict[tuple[tuple[str, str], ...], Settings] = {}


def settings() -> Settings:
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("PORTALYTICS_")))
    found = _settings_cache.get(key)
    if found is None:
        if len(_settings_cache) > 8:
            _settings_cache.clear()
        found = _settings_cache[key] = get_settings()
    return found


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
    _started(signed_in.token)


def browser_cookie() -> str | None:
    """The session cookie the browser sent when this tab connected (Streamlit reads it from that request)."""
    return st.context.cookies.get(session_cookie.COOKIE_NAME)


def _resume_from_cookie() -> None:
    value = browser_cookie()
    if not value or st.session_state.get(COOKIE_TRIED_KEY) == value:
        return
    st.session_state[COOKIE_TRIED_KEY] = value
    token = session_cookie.token_from_cookie(settings(), value)
    if token is None:
        st.session_state[COOKIE_ACTION_KEY] = ("clear",)
        return
    st.session_state[TOKEN_KEY] = token


def current_session() -> auth.ActiveSession | None:
    """The signed-in session of this browser tab, validated now; None when signed out (a notice says why)."""
    st.session_state.pop(ACTIVE_KEY, None)
    if not st.session_state.get(TOKEN_KEY):
        _resume_from_cookie()
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
        st.session_state[COOKIE_ACTION_KEY] = ("clear",)
        if _oidc_email() is not None:
            # Otherwise the identity cookie would silently sign the person in again, defeating the timeout.
            st.logout()
        return None
    st.session_state[ACTIVE_KEY] = active
    return active


def _started(token: str) -> None:
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_ACTION_KEY] = ("set", session_cookie.tickets.issue(token))


def start(signed_in: auth.SignedIn) -> None:
    _started(signed_in.token)
    st.session_state.pop(NOTICE_KEY, None)


def sync_browser_cookie() -> None:
    """Have the browser set or clear its session cookie if a sign-in or sign-out asked for it (once).

    The page POSTs to the cookie route itself: a ticket in the body (never in a URL or a log), the answer's
    ``Set-Cookie`` is stored by the browser and never readable by scripts (HttpOnly).
    """
    action = st.session_state.pop(COOKIE_ACTION_KEY, None)
    if action is None:
        return
    if action[0] == "set":
        path, body = START_PATH, urlencode({"ticket": action[1]})
    else:
        path, body = END_PATH, ""
    request = {
        "method": "POST",
        "credentials": "same-origin",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": body,
    }
    st.html(
        f"<script>fetch({json.dumps(path)}, {json.dumps(request)});</script>", unsafe_allow_javascript=True
    )


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
    st.session_state[COOKIE_ACTION_KEY] = ("clear",)
    st.session_state[NOTICE_KEY] = "You signed out."
    if _oidc_email() is not None:
        st.logout()
    st.rerun()
