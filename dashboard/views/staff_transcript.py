"""My transcript (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon(
    "My transcript",
    "your Learning Center completions, CE credits and uploaded external credits for any date range "
    "or the complete history, as PDF and Excel.",
)
