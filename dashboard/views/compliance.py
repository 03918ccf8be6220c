"""Compliance (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon(
    "Compliance",
    "compliance by department, manager and job role, with drill-down and the overdue list export.",
)
