"""domain.learning: the learning family."""
