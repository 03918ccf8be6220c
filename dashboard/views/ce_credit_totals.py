"""Credit totals (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("Credit totals", "CE credit totals by account, credit type and year.")
