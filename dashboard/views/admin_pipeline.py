"""Pipeline (placeholder until its view is built)."""

from dashboard.widgets import coming_soon

coming_soon("Pipeline", "pipeline freshness, the ingest ledger and quarantined rows.")
