"""Errors in a page reach the browser as an error id; the traceback goes to the server log under that id.

``portalytics dashboard`` serves with ``client.showErrorDetails=none``, so Streamlit itself shows no
traceback; this module adds the id a user can quote to an administrator. Under ``full`` (Streamlit's default:
development and the AppTest suite) exceptions pass through unchanged, so a broken page still fails its test
loudly.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

log = logging.getLogger("portalytics.dashboard")


def shows_tracebacks() -> bool:
    return str(st.get_option("client.showErrorDetails")).lower() in ("full", "true")


def run_page(run: Callable[[], object], page: str) -> None:
    """Run the page; an exception becomes an error id on screen and a logged traceback."""
    if shows_tracebacks():
        run()
        return
    try:
        run()
    except Exception:  # st.stop / st.rerun are BaseExceptions and pass through
        error_id = secrets.token_hex(4)
        log.exception("dashboard error %s on page %s", error_id, page)
        st.error(
            f"Something went wrong on this page (error id {error_id}). Try again; if it keeps happening, "
            "give the error id to an administrator."
        )
