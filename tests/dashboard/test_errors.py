"""A page that fails shows an error id, never a traceback, when served as `portalytics dashboard` serves
it."""

from __future__ import annotations

import logging
import re

from streamlit import config
from streamlit.testing.v1 import AppTest


def failing_page() -> None:
    import streamlit as st

    from dashboard import errors

    st.set_option("client.showErrorDetails", "none")

    def page() -> None:
        st.title("Roster")
        raise KeyError("member S1 of employer E1 not found")

    errors.run_page(page, "employer_roster")


def test_a_failing_page_shows_an_error_id_and_logs_the_traceback(caplog):
    caplog.set_level(logging.ERROR, logger="portalytics.dashboard")
    try:
        app = AppTest.from_function(failing_page).run()
    finally:
        config.set_option("client.showErrorDetails", "full")
    assert not app.exception  # nothing reaches the browser as an exception
    [message] = [e.value for e in app.error]
    error_id = re.fullmatch(
        r"Something went wrong on this page \(error id ([0-9a-f]{8})\)\. Try again; if it keeps happening, "
        r"give the error id to an administrator\.",
        message,
    ).group(1)
    assert "S1" not in message and "KeyError" not in message
    [logged] = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged.getMessage() == f"dashboard error {error_id} on page employer_roster"
    assert logged.exc_info[0] is KeyError  # the traceback is in the server log


def test_in_development_the_exception_still_surfaces():
    def page_in_development() -> None:
        from dashboard import errors

        def page() -> None:
            raise ValueError("broken")

        errors.run_page(page, "any")

    app = AppTest.from_function(page_in_development).run()
    assert app.exception and "broken" in app.exception[0].message
