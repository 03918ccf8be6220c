"""The browser's session cookie: a signed copy of the server-side session token, handed over by a one-time
ticket.

A Streamlit page cannot set a cookie (it talks to the browser over a WebSocket), so the dashboard serves one
small route beside the app (``dashboard/session_routes.py``). After a sign-in the page gets a **ticket**:
random, single use, valid for a minute, kept in this process's memory next to the session token it stands for.
The page POSTs the ticket to the route, which answers with ``Set-Cookie: portalytics_session=<signed token>;
HttpOnly; SameSite=Strict; Path=/`` (``Secure`` over TLS). Later page loads and new tabs of that browser send
the cookie, and the router resumes the session from it; the state store still decides on every run whether the
session is alive (idle timeout, absolute lifetime, sign-out, disabled account, password change).

The cookie holds nothing but the session token (the server keeps only its SHA-256), signed with itsdangerous
and the dashboard's cookie key (``<data dir>/keys/session-cookie.key``, 0600, made on first use; never in the
repository), so a cookie that was altered, or signed longer ago than a session can live, is refused before the
state store is asked. Tickets live in memory because the route and the pages run in the same process
(Streamlit keeps its own sessions in memory too) and a session token is never written anywhere in the clear.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, TimestampSigner

from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.passwords import new_token, token_digest

log = logging.getLogger(__name__)

COOKIE_NAME = "portalytics_session"
KEY_FILE = "session-cookie.key"
#: A ticket is redeemed by the page's own request a moment after it is drawn; a minute is plenty on a slow
#: machine.
TICKET_TTL = timedelta(minutes=1)
_SALT = "portalytics.session-cookie"


def cookie_key(settings: Settings) -> bytes:
    """The dashboard's cookie-signing key, made on first use (created with ``O_EXCL``: two processes starting
    together cannot each make their own). Deleting the file signs every browser out."""
    path = settings.keys_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _signer(settings: Settings) -> TimestampSigner:
    return TimestampSigner(cookie_key(settings), salt=_SALT)


def cookie_value(settings: Settings, token: str) -> str:
    """The cookie's value for a session token: ``<token>.<time>.<signature>``."""
    return _signer(settings).sign(token).decode("ascii")


def token_from_cookie(settings: Settings, value: str, *, clock: Clock = utc_now) -> str | None:
    """The session token a cookie carries; None when its signature is wrong or it is older than a session can
    live (the state store still has the last word on whether that session is alive)."""
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    signer = _signer(settings)
    try:
        raw, signed_at = signer.unsign(value.encode("utf-8"), return_timestamp=True)
    except BadSignature:
        log.info("dashboard session cookie refused: bad signature")
        return None
    if clock() - signed_at > lifetime:
        return None
    return raw.decode("ascii")


@dataclass(frozen=True)
class _Ticket:
    token: str
    expires_at: datetime


class TicketBook:
    """One-time tickets for the cookie route, in memory (keyed by the ticket's digest, like every bearer
    secret)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, _Ticket] = {}

    def issue(self, token: str, *, clock: Clock = utc_now) -> str:
        now = clock()
        ticket = new_token()
        with self._lock:
            self._tickets = {k: t for k, t in self._tickets.items() if t.expires_at > now}
            self._tickets[token_digest(ticket)] = _Ticket(token, now + TICKET_TTL)
        return ticket

    def redeem(self, ticket: str, *, clock: Clock = utc_now) -> str | None:
        """The session token of ``ticket``, once; None for an unknown, used or expired ticket."""
        with self._lock:
            entry = self._tickets.pop(token_digest(ticket), None)
        if entry is None or clock() >= entry.expires_at:
            return None
        return entry.token


#: The process's ticket book: the sign-in page issues, the cookie route redeems.
tickets = TicketBook()
