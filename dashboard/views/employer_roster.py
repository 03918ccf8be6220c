"""Enrollment roster (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon(
    "Enrollment roster", "your group's subscribers and dependents, tiers, coverage dates, adds and terms."
)
