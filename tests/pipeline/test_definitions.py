"""The code location: every asset and check is picked up, grouped by family, publish last, steps side by side
in one process (one DuckDB writer)."""

import dagster as dg

from domain.contracts import SOURCES
from domain.settings import Settings
from pipelines.definitions import MATERIALIZE_ALL, build_definitions
from pipelines.sensors import build_landing_sensor


def _graph(settings):
    return build_definitions(settings).get_repository_def().asset_graph


def test_one_staging_asset_per_source_grouped_by_family(settings):
    graph = _graph(settings)
    for s in SOURCES:
        node = graph.get(dg.AssetKey(["staging", s.name]))
        assert node.group_name == s.family
    checks = {(k.asset_key.path[-1], k.name) for k in graph.asset_check_keys}
    assert {(s.name, "reconciliation") for s in SOURCES} <= checks
    assert {(s.name, "expectations") for s in SOURCES} <= checks
    assert ("hp_claims", "references") in checks


def test_publish_depends_on_every_mart_and_the_job_runs_steps_side_by_side(settings):
    defs = build_definitions(settings)
    graph = defs.get_repository_def().asset_graph
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert {dg.AssetKey(["marts", "ingest_ledger"]), dg.AssetKey(["marts", "quarantine"])} <= marts
    assert graph.get(dg.AssetKey(["published", "snapshot"])).parent_keys == marts
    executor = defs.resolve_job_def(MATERIALIZE_ALL).executor_def
    assert executor.name == "side_by_side"
    assert executor.config_schema.config_type.fields["max_concurrent"].default_value == settings.step_threads


def test_the_landing_sensor_requests_a_run_only_when_files_change(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    defs = build_definitions(settings)
    sensor = build_landing_sensor(settings, defs.resolve_job_def(MATERIALIZE_ALL))
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor):
        context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        return sensor.evaluate_tick(context)

    first = tick(None)
    assert first.run_requests == []  # no landing folder yet
    folder = settings.landing_dir / "hp_employers"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("employer_id,name,group_number\nE1,Acme,G-1\n")
    second = tick(first.cursor)
    assert len(second.run_requests) == 1
    third = tick(second.cursor)
    assert third.run_requests == []  # nothing new since


def test_the_daily_schedule_runs_in_the_organisations_time_zone(settings):
    schedule = build_definitions(settings).get_schedule_def("daily_materialize")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 5 * * *", "America/Chicago")


def test_reminders_are_sent_after_publish_by_every_run_and_by_their_own_daily_schedule(settings):
    from assets.learning.reminders import REMINDERS_KEY
    from pipelines import incremental

    defs = build_definitions(settings)
    graph = defs.get_repository_def().asset_graph
    assert graph.get(REMINDERS_KEY).parent_keys == {dg.AssetKey(["published", "snapshot"])}
    schedule = defs.get_schedule_def("daily_reminders")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 7 * * *", "America/Chicago")
    assert defs.resolve_job_def("send_reminders").asset_layer.selected_asset_keys == {REMINDERS_KEY}
    # an incremental run that changes one mart publishes, and so sends what is due
    changes = incremental.Changes(False, {dg.AssetKey(["marts", "quarantine"])}, [], {})
    plan = incremental.select(graph, changes)
    assert {dg.AssetKey(["published", "snapshot"]), REMINDERS_KEY} <= plan.assets
