"""A daily run so the as-of marts (compliance status, certificate windows) move with the calendar, and a daily
reminders run (``assets/learning/reminders.py``) that mails what is due even on a day nothing new was
published."""

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


REMINDERS_SCHEDULE = "daily_reminders"
REMINDERS_JOB = "send_reminders"
REMINDERS_CRON = "0 7 * * *"  # 07:00 org time, after the daily materialize has published


def build_reminders_schedule(
    settings: Settings, job: dg.UnresolvedAssetJobDefinition
) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=REMINDERS_SCHEDULE,
        job=job,
        cron_schedule=REMINDERS_CRON,
        execution_timezone=settings.org_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
