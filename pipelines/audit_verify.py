"""``portalytics audit verify``: walk the audit log's hash chain and say whether it is intact."""

from __future__ import annotations

import sys

from domain.settings import Settings
from reports.state import audit_chain
from reports.state.db import get_engine


def verify_audit_log(settings: Settings) -> int:
    """0 and a one-line summary when the chain holds; 1 and the first bad row (on stderr) when it does not."""
    report = audit_chain.verify(get_engine(settings))
    if report.intact:
        print(f"Audit log intact: {report.rows_checked} rows, every hash follows from the one before.")
        return 0
    print(
        f"Audit log BROKEN at row {report.first_bad_id}: {report.problem}. "
        f"{report.rows_checked} rows before it are intact.",
        file=sys.stderr,
    )
    return 1
