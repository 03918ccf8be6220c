"""What a cost-share worker process runs first (``ProcessPoolExecutor(initializer=start_worker)``): no pandas
there, and Arrow's memory from the C library's allocator.

pyarrow imports pandas on the first ``pa.array`` only to ask whether the argument is a pandas object, and
importing pandas costs a fresh process more CPU (1.3 s) than pricing a chunk's families; a worker is never
given a pandas object. A module finder that refuses pandas makes pyarrow's check answer "no pandas" (it
handles the ``ImportError``); ``sys.modules["pandas"] = None`` does not (pyarrow then fails on the ``None``).

A worker prices chunk after chunk, each allocating and freeing a few hundred MB of Arrow buffers. pyarrow's
default pool (mimalloc) gives freed memory back to the system between chunks, so every chunk faults in fresh
pages that the kernel must zero first (a sixth of the workers' CPU in a medium run, in ``clear_page_erms``);
the C library's allocator keeps the freed memory and hands it out again (session 10, docs/operations.md).

Kept apart from :mod:`assets.health_plan.chunks`: the finder must be in place before the engine's modules are
imported (they build Arrow arrays when they load), and the worker imports this module first to unpickle it.
"""

from __future__ import annotations

import sys


class _NoPandas:
    """A ``sys.meta_path`` finder that refuses pandas and its submodules."""

    def find_spec(self, name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not imported in a cost-share worker", name=name)
        return None


def without_pandas() -> None:
    """Refuse pandas in this process from now on (a no-op where pandas is already imported)."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


def start_worker() -> None:
    """A cost-share worker's start: no pandas, and Arrow's buffers from the C library's allocator."""
    without_pandas()
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
