"""Defaults follow the data (domain-rules.md "Clarifications"): a page's default day or period is counted back
from the data's last day when today is past it, so the first view of an old snapshot is not empty.
"""

from __future__ import annotations

import datetime as dt


def default_day(today: dt.date, data_last_day: dt.date | None) -> dt.date:
    """Today, or the data's last day when today is past it (or no data: today)."""
    return today if data_last_day is None else min(today, data_last_day)


def last_full_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """(first, last day) of the last calendar month that has ended by the end of ``day``: ``day``'s own month
    when ``day`` is its last day, else the month before."""
    next_day = day + dt.timedelta(days=1)
    if next_day.day == 1:
        return day.replace(day=1), day
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last
