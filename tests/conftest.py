"""Settings for every test process."""

import sys
from pathlib import Path

# pyspark (the `spark` extra) takes a __main__ module with neither __spec__ nor __file__ for its own doctest
# runner and exits the process (sys.exit(0)) when pyspark.sql.connect is imported, which great-expectations
# does on import. A pytest-xdist worker's __main__ looks like that, so a worker would die on its first GX
# check. Real entry points (portalytics, streamlit, dagster, plain pytest) have a __file__. It must name a
# real file: a process started with multiprocessing's spawn (the cost-share workers) runs the parent's
# __main__ file first.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = str(Path(__file__).with_name("xdist_main.py"))

# Fixtures shared across family folders (tests/<family>/, tests/<family>/dashboard/): the dashboard's app
# and signed-in users, and the read side's small published snapshot (built once per session). A conftest.py
# closer to a test still overrides them (several folders have their own ``settings``).
pytest_plugins = ("tests.dashboard.fixtures", "tests.reports.fixtures")
