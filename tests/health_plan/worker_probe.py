"""Functions a test runs in a spawned worker process (a module of its own: the worker imports it to unpickle
them, and it imports no more than a worker does)."""

from __future__ import annotations

import sys


def engine_imports_pandas() -> bool:
    """Whether importing the engine (its modules build Arrow arrays as they load) brings pandas in."""
    import assets.health_plan.chunks  # noqa: F401

    return "pandas" in sys.modules


def arrow_pool() -> str:
    """The allocator behind this process's Arrow buffers."""
    import pyarrow as pa

    return pa.default_memory_pool().backend_name
