"""Helpers the learning pages share: the published snapshot (or a plain message), audited record views, labels."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard import session
from reports import audit
from reports.principal import Principal
from reports.snapshot import NoSnapshotError, open_snapshot

AUDITED_VIEWS_KEY = "portalytics_audited_views"
STATUS_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "compliant": "Compliant",
    "not_due_yet": "Not due yet",
    "issued": "Issued",
    "awaiting_evaluation": "Awaiting your evaluation",
    "expired": "No longer downloadable",
}


@contextmanager
def published_snapshot() -> Iterator:
    """A read-only connection on the published snapshot; with none published yet the page says so and stops."""
    try:
        with open_snapshot(session.settings()) as conn:
            yield conn
    except NoSnapshotError as exc:
        st.info(str(exc))
        st.stop()


def audit_view(who: Principal, target: str, row_count: int, *, detail: str | None = None) -> None:
    """Audit a view of a person's record once per browser session and content.

    Streamlit reruns a page on every click; logging each rerun would bury the views that matter. A different
    target, range (``detail``) or row count is a new view and is logged again.
    """
    seen: set = st.session_state.setdefault(AUDITED_VIEWS_KEY, set())
    key = (target, detail, row_count)
    if key in seen:
        return
    audit.record(who, "view", target, row_count=row_count, detail=detail, settings=session.settings())
    seen.add(key)


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
