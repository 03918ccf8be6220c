"""Attendance claims (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("Attendance claims", "rejected text-a-code and portal claims with the reason.")
