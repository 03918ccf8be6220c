"""domain.health_plan: the health plan family."""
