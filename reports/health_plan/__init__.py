"""reports.health_plan.reads: the health plan family."""
