"""Eligibility & claims (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("Eligibility & claims", "member eligibility on a date of service and the status of your claims.")
