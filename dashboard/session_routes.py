"""The two HTTP routes served beside the Streamlit app: set the session cookie for a ticket, and clear it.

A page cannot set an HttpOnly cookie over Streamlit's WebSocket, so after a sign-in it POSTs a one-time ticket
here (reports/session_cookie.py explains the design); after a sign-out or an ended session it asks the
other route to clear the cookie. Both routes accept only the page's own requests: a
browser marks a cross-site request (``Sec-Fetch-Site``), and without that header the ``Origin`` must be this
host; so another site can neither plant its own session in a user's browser nor clear theirs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.settings import get_settings
from reports import auth, session_cookie

START_PATH = "/portalytics/session/start"
END_PATH = "/portalytics/session/end"
_NO_STORE = {"Cache-Control": "no-store"}


def same_origin(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")


def _cookie_options(request: Request) -> dict:
    # Behind the TLS proxy the scheme comes from X-Forwarded-Proto, which uvicorn trusts from 127.0.0.1 only.
    return {"path": "/", "httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}


async def start(request: Request) -> Response:
    if not same_origin(request):
        return Response(status_code=403, headers=_NO_STORE)
    form = await request.form()
    ticket = form.get("ticket")
    token = session_cookie.tickets.redeem(ticket) if isinstance(ticket, str) else None
    if token is None:
        return Response(status_code=403, headers=_NO_STORE)
    response = Response(status_code=204, headers=_NO_STORE)
    # No Max-Age: the cookie ends with the browser; the server ends the session at its timeouts anyway.
    response.set_cookie(
        session_cookie.COOKIE_NAME,
        session_cookie.cookie_value(get_settings(), token),
        **_cookie_options(request),
    )
    return response


def end(request: Request) -> Response:
    """Clear the cookie if the session it names has ended (signed out, timed out) or it is not ours; a cookie
    of a live session stays, so a tab whose old session ended cannot sign out one started in another tab
    since. A plain function: Starlette runs it in a worker thread, away from the event loop, for the state
    store."""
    if not same_origin(request):
        return Response(status_code=403, headers=_NO_STORE)
    response = Response(status_code=204, headers=_NO_STORE)
    value = request.cookies.get(session_cookie.COOKIE_NAME)
    if value is not None:
        settings = get_settings()
        token = session_cookie.token_from_cookie(settings, value)
        if token is None or not auth.session_is_open(settings, token):
            response.delete_cookie(session_cookie.COOKIE_NAME, **_cookie_options(request))
    return response


def routes() -> list[Route]:
    return [Route(START_PATH, start, methods=["POST"]), Route(END_PATH, end, methods=["POST"])]
