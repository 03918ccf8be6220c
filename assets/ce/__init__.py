"""assets.ce.marts: the ce family."""
