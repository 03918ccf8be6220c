"""The ingest bench reports where a materialize spends its time: every step's wall time from Dagster's event
log."""

from rich.console import Console

from pipelines.bench.ingest import _step_seconds
from pipelines.materialize import run_materialize
from tests.pipeline.harness import header, land


def test_every_step_of_the_latest_run_has_its_wall_time(settings):
    assert _step_seconds(settings) == {}  # no run yet
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    assert run_materialize(settings, "2026-03-01", console=Console(quiet=True)) == 0
    steps = _step_seconds(settings)
    assert {"staging__hp_employers", "health_plan_claims", "published__snapshot"} <= set(steps)
    assert len(steps) > 50  # every asset, multi-asset and check of a full run
    assert all(seconds >= 0 for seconds in steps.values())
