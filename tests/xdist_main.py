"""Stands in as ``__main__`` of a pytest-xdist worker (see tests/conftest.py); it does nothing when run.

A process the tests start with multiprocessing's spawn runs the parent's ``__main__.__file__`` first, so the
name set there must be a real, harmless file."""
