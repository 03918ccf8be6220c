"""reports.ce.reads: the ce family."""
