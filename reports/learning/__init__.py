"""reports.learning: the learning family."""
