"""Compliance reminders, sent after every publish (and by the daily reminders schedule).

Downstream of ``published/snapshot``: the reminders follow what the dashboard shows. The work is in
``reports.learning.reminders`` (which reminders are due comes from ``domain.learning.reminders``).
"""

from pathlib import Path

import dagster as dg

from assets.common import RunSettings
from assets.publish import PUBLISH_KEY
from domain.settings import Settings
from reports.learning.reminders import send_due_reminders
from reports.snapshot import NoSnapshotError, open_snapshot

REMINDERS_KEY = dg.AssetKey(["reminders", "sent"])


@dg.asset(key=REMINDERS_KEY, deps=[PUBLISH_KEY], group_name="reminders")
def reminders_sent(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """E-mail the learner reminders and manager digests due as of the published compliance date (once
    each)."""
    settings = Settings(data_dir=Path(run_settings.data_dir))
    try:
        with open_snapshot(settings) as conn:
            result = send_due_reminders(settings, conn)
    except NoSnapshotError:
        context.log.info("nothing published yet: no reminders")
        return dg.MaterializeResult(metadata={"sent": 0})
    context.log.info(f"{result.sent} reminder(s) via {result.delivery} for {result.day}")
    return dg.MaterializeResult(
        metadata={
            "sent": result.sent,
            "delivery": result.delivery,
            "compliance_date": str(result.day),
            **{f"sent_{k}": n for k, n in sorted(result.by_kind.items())},
        }
    )
