"""The status of the materialize started from the dashboard ("Apply now"), refreshing itself while it runs.

Any page can call :func:`show`: queued, running, published at …, or failed with the reason
(``reports.materialize_launch.launch_status``). While the run is going the fragment reruns every few seconds
on its own (only the fragment, not the page); once it has ended it stops refreshing.
"""

from __future__ import annotations

import streamlit as st

from domain.settings import Settings
from reports.materialize_launch import FAILED, PUBLISHED, launch_status

REFRESH_SECONDS = 3


def _render(settings: Settings) -> None:
    status = launch_status(settings)
    if status is None:
        st.caption("No run has been started from the dashboard yet.")
        return
    text = status.describe(settings.org_timezone)
    if status.state == PUBLISHED:
        st.success(text)
    elif status.state == FAILED:
        st.error(text)
    else:
        st.info(text)
    if status.active != st.session_state.get("run_status_active", False):
        st.session_state["run_status_active"] = status.active
        st.rerun()  # switch between a refreshing and a still fragment


def show(settings: Settings) -> None:
    active = st.session_state.get("run_status_active", False)
    st.fragment(run_every=REFRESH_SECONDS if active else None)(_render)(settings)
