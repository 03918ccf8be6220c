"""assets.health_plan.marts: the health plan family."""
