"""My certificates (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("My certificates", "your CE certificates and the day each stops being downloadable.")
