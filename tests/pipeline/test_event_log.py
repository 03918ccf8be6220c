"""``portalytics materialize`` stores its run's events through open connections (pipelines.event_log); what it
writes stays Dagster's own history: ``dagster dev`` (Dagster's stock storage, another process) reads the
runs, the materializations and their metadata, also while the writer is still open, and the next run's
incremental plan builds on them."""

from __future__ import annotations

import dagster as dg
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from rich.console import Console

from assets.increments import INCREMENTAL, PLAN_TAG
from pipelines.event_log import OpenSqliteEventLogStorage
from pipelines.materialize import dagster_instance, run_materialize
from tests.pipeline.harness import auth_event_line, land

LOCKOUTS = dg.AssetKey(["marts", "login_lockouts"])
AUTH_EVENTS = dg.AssetKey(["staging", "auth_events"])


def _stock_instance(settings) -> dg.DagsterInstance:
    """The instance ``dagster dev`` opens over the same home: dagster.yaml as written, stock storage."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(settings.dagster_home)))


def _materialize(settings) -> str:
    console = Console(record=True, width=200)
    assert run_materialize(settings, "2026-03-05", console=console) == 0, console.export_text()
    return console.export_text()


def test_runs_materializations_and_metadata_are_read_by_a_stock_instance_and_plan_the_next_run(settings):
    five = [auth_event_line(f"a{i}", f"09:0{i}", "login_failure", "alice") for i in range(5)]
    land(settings, "auth_events", "d1.jsonl", "\n".join(five))
    assert "full run" in _materialize(settings)
    with _stock_instance(settings) as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        [run] = stock.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.tags[PLAN_TAG] == "full"
        [staged] = stock.fetch_materializations(AUTH_EVENTS, limit=5).records
        assert staged.run_id == run.run_id
        assert staged.asset_materialization.metadata["rows_loaded"].value == 5
        assert staged.asset_materialization.metadata["loaded_files"].value == ["d1.jsonl"]
        [built] = stock.fetch_materializations(LOCKOUTS, limit=5).records
        assert built.asset_materialization.metadata["built_from_staging"].value == staged.storage_id
        assert built.asset_materialization.metadata["applied_files"].value == 0

    # A late file (alice logged in at 09:02): the lockouts apply it to the mart the first run built, which
    # they find through the first run's materializations.
    late = auth_event_line("late", "09:02", "login_success", "alice")
    land(settings, "auth_events", "d2.jsonl", late + "\n")
    assert "incremental run" in _materialize(settings)
    with _stock_instance(settings) as stock:
        assert [r.tags[PLAN_TAG] for r in stock.get_runs()] == [INCREMENTAL, "full"]
        latest = stock.fetch_materializations(LOCKOUTS, limit=5).records[0]
        assert latest.asset_materialization.metadata["applied_files"].value == 1
        checks = stock.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(AUTH_EVENTS, "expectations")]
        )
        assert checks[dg.AssetCheckKey(AUTH_EVENTS, "expectations")].run_id == latest.run_id


def test_events_are_visible_to_another_reader_while_the_writer_keeps_its_connections(settings):
    writer = dagster_instance(settings)
    assert isinstance(writer.event_log_storage, OpenSqliteEventLogStorage)
    key = dg.AssetKey(["marts", "example"])
    writer.report_runless_asset_event(dg.AssetMaterialization(key, metadata={"rows": 3}))
    with _stock_instance(settings) as stock:  # e.g. the webserver, while the run is still going
        [record] = stock.fetch_materializations(key, limit=5).records
        assert record.asset_materialization.metadata["rows"].value == 3
    writer.report_runless_asset_event(dg.AssetMaterialization(key, metadata={"rows": 4}))
    writer.dispose()
    with _stock_instance(settings) as stock:
        records = stock.fetch_materializations(key, limit=5).records
        assert [r.asset_materialization.metadata["rows"].value for r in records] == [4, 3]


def test_an_operators_own_storage_in_dagster_yaml_is_used_as_configured(settings):
    settings.dagster_home.mkdir(parents=True)
    runs = settings.dagster_home / "elsewhere"
    (settings.dagster_home / "dagster.yaml").write_text(
        "event_log_storage:\n  module: dagster._core.storage.event_log\n  class: SqliteEventLogStorage\n"
        f"  config:\n    base_dir: {runs}\n"
    )
    with dagster_instance(settings) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        instance.report_runless_asset_event(dg.AssetMaterialization("example"))
    assert (runs / "index.db").exists()
