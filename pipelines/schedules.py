"""A daily run so the as-of marts (compliance status, certificate windows) move with the calendar."""

from __future__ import annotations

import dagster as dg

from domain.settings import Settings

DAILY_SCHEDULE = "daily_materialize"
DAILY_CRON = "0 5 * * *"  # 05:00 in the organisation's time zone, before the working day


def build_daily_schedule(settings: Settings, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=DAILY_SCHEDULE,
        job=job,
        cron_schedule=DAILY_CRON,
        execution_timezone=settings.org_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
