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


def failing_price_chunk(lines_path, spans_path, work_dir, plan_years):
    """A worker whose pricing fails on the second chunk (the others are priced as usual)."""
    from assets.health_plan.chunks import price_chunk

    if lines_path.name == "lines_1.arrow":
        raise ValueError("no plan year for this line")
    return price_chunk(lines_path, spans_path, work_dir, plan_years)
