"""assets.learning.marts: the learning family."""
