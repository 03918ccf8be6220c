"""My compliance (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("My compliance", "your required trainings with what is overdue, due soon or expiring.")
