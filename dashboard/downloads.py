"""Deferred downloads that re-check the session when the button is pressed.

``st.download_button(data=callable)`` runs the callable when the browser asks for the file: off the page's
thread and without rerunning the app, so the router's session check does not run. :func:`guarded` wraps the
file-building callable so that, at that moment, the session is validated again (idle timeout, absolute
lifetime, disabled account, same role and scope as when the page was drawn) and a refusal is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dashboard import session
from reports import auth
from reports.principal import Principal

T = TypeVar("T")


def guarded(who: Principal, target: str, build: Callable[[], T]) -> Callable[[], T]:
    """The callable to hand ``st.download_button``: ``build()`` only if the session still holds at click time.

    Captured now (on the page's thread): the settings and this browser session's token, never its validity.
    """
    settings = session.settings()
    token = session.token()

    def data() -> T:
        auth.recheck_for_download(settings, token, who, target)
        return build()

    return data
