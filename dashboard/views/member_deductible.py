"""My deductible (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("My deductible", "deductible and out-of-pocket progress and what you owe claim by claim.")
