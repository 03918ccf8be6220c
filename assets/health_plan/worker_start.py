"""What a cost-share worker process runs first (``ProcessPoolExecutor(initializer=...)``): no pandas there.

pyarrow imports pandas on the first ``pa.array`` only to ask whether the argument is a pandas object, and
importing pandas costs a fresh process more CPU (1.3 s) than pricing a chunk's families; a worker is never
given a pandas object. A module finder that refuses pandas makes pyarrow's check answer "no pandas" (it
handles the ``ImportError``); ``sys.modules["pandas"] = None`` does not (pyarrow then fails on the ``None``).

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
