"""Duplicate queue (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon(
    "Duplicate queue", "likely duplicate CE accounts with the evidence, to merge, keep separate or undo."
)
