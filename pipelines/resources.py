"""The resources every asset is given, built from :class:`domain.settings.Settings`.

- ``duckdb``: the warehouse (``settings.warehouse_path``) with its marts file attached
  (``assets.warehouse``): a connection per ``get_connection``, all of one database in the run's one process
  (DuckDB allows one writing process; steps run side by side in threads).
- ``run_settings``: the as-of date and the organisation's time zone (``assets.common.RunSettings``).
- ``publish_target``: where the published snapshots go and how many are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from assets.common import STAGING, RunSettings
from assets.publish import PublishTarget
from assets.warehouse import marts_path, with_marts
from checks.ingest_tables import ensure_ingest_tables
from domain.settings import Settings, chmod_private, make_files_private

#: DuckDB's own memory cap for the pipeline (the process target is < 6 GB; DuckDB spills beyond this).
MEMORY_LIMIT = "4GB"


class WarehouseResource(DuckDBResource):
    """``DuckDBResource`` that creates the data directory first (a fresh checkout has none), owner-only: the
    directory 0700, the warehouse and the marts file 0600 (also when ``dagster dev`` runs the assets, not the
    CLI); every connection it hands out has the marts attached (``assets.warehouse.with_marts``), and the
    first one moves an older warehouse's schema ``marts`` into the marts file."""

    _held: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        make_files_private()
        folder = Path(self.database).parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        chmod_private(folder, 0o700)
        # One connection held for the whole run keeps the one database instance alive between the steps'
        # own connections. Without it, a step closing the last connection shuts the instance down while
        # a step beside it opens a new one, and DuckDB's Python client then fails that step's
        # ``register`` ("Table Function with name python_arrow_scan does not exist"): seen in a test run
        # and reproduced by two threads opening, registering and closing (97 failures in 20 s; none
        # with a held connection). It also spares each step the last-connection checkpoint on close.
        with self.get_connection() as conn:
            _create_shared_catalog(conn)
        self._held = ExitStack()
        self._held.enter_context(self.get_connection())
        chmod_private(Path(self.database))
        chmod_private(marts_path(self.database))

    @contextmanager
    def get_connection(self) -> Iterator:
        with super().get_connection() as conn:
            yield with_marts(conn)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None


def _create_shared_catalog(conn) -> None:
    """The schemas and tables several steps create "if not exists", created once before any step runs.

    Steps run side by side on connections of one database (``pipelines.side_by_side``), and DuckDB lets two
    transactions create the same new catalog entry only once: the second fails with a write-write conflict
    (creating one that exists already, or different ones, never conflicts).
    """
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGING}")  # schema marts: in the marts file, by with_marts
    # the build markers of the publish before the marts file (session 9): nothing reads them any more
    conn.execute("DROP TABLE IF EXISTS pipeline.published_marts")
    ensure_ingest_tables(conn)


def build_resources(settings: Settings, as_of: str | None = None) -> dict[str, object]:
    return {
        "duckdb": WarehouseResource(
            database=str(settings.warehouse_path),
            connection_config={
                "memory_limit": MEMORY_LIMIT,
                "temp_directory": str(settings.root / "duckdb_tmp"),
            },
        ),
        "run_settings": RunSettings(
            as_of=as_of, org_timezone=settings.org_timezone, data_dir=str(settings.root)
        ),
        "publish_target": PublishTarget(
            published_dir=str(settings.published_dir), keep_snapshots=settings.keep_snapshots
        ),
    }
