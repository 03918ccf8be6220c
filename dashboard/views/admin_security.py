"""Security (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("Security", "login-security findings: lockouts, reset-link problems and credential stuffing.")
