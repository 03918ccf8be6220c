"""The side-by-side executor (``pipelines.side_by_side``): independent steps of one run overlap in threads of
the one process, and a run keeps the in-process executor's meaning (a failed step skips its downstream and
fails the run; a blocking check blocks; retries; a run-alone step runs alone); a full run's marts equal the
one-step-at-a-time run's."""

from __future__ import annotations

import threading
import time

import dagster as dg
import duckdb
import pytest
from rich.console import Console

from assets.common import RUN_ALONE_TAG
from domain.settings import Settings
from pipelines.generator.run import generate_all
from pipelines.materialize import run_materialize
from pipelines.side_by_side import execute_in_process, side_by_side_executor

WAIT = 20.0  # seconds a step waits for its partner before the test fails (never reached when they overlap)


def _run(
    assets, checks=(), max_concurrent: int = 2, raise_on_error: bool = False
) -> dg.ExecuteInProcessResult:
    job = dg.Definitions(
        assets=assets,
        asset_checks=list(checks),
        jobs=[dg.define_asset_job("all", selection=dg.AssetSelection.all())],
        executor=side_by_side_executor(max_concurrent),
    ).resolve_job_def("all")
    return execute_in_process(
        job, instance=dg.DagsterInstance.ephemeral(), run_config={}, tags={}, raise_on_error=raise_on_error
    )


def _materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


class _Spans:
    """When each step ran (monotonic start and end), recorded by the steps themselves."""

    def __init__(self):
        self.lock = threading.Lock()
        self.spans: dict[str, tuple[float, float]] = {}

    def __call__(self, name: str, seconds: float) -> None:
        start = time.monotonic()
        time.sleep(seconds)
        with self.lock:
            self.spans[name] = (start, time.monotonic())

    def overlap(self, a: str, b: str) -> float:
        (s1, e1), (s2, e2) = self.spans[a], self.spans[b]
        return min(e1, e2) - max(s1, s2)


def test_two_independent_steps_run_at_the_same_time():
    meet = threading.Barrier(2, timeout=WAIT)  # passes only when both steps are inside their bodies at once
    threads: dict[str, str] = {}

    @dg.asset
    def left():
        threads["left"] = threading.current_thread().name
        meet.wait()

    @dg.asset
    def right():
        threads["right"] = threading.current_thread().name
        meet.wait()

    @dg.asset(deps=[left, right])
    def joined():
        pass

    result = _run([left, right, joined])
    assert result.success
    assert _materialized(result) == {"left", "right", "joined"}
    assert threads["left"] != threads["right"]


def test_one_at_a_time_when_configured_so():
    spans = _Spans()

    @dg.asset
    def first():
        spans("first", 0.3)

    @dg.asset
    def second():
        spans("second", 0.3)

    assert _run([first, second], max_concurrent=1).success
    assert spans.overlap("first", "second") <= 0


def test_a_failed_step_skips_its_downstream_and_fails_the_run_while_an_independent_step_finishes():
    started = threading.Event()

    @dg.asset
    def slow_independent():
        started.set()
        time.sleep(0.5)

    @dg.asset
    def broken():
        assert started.wait(WAIT)  # fails while the independent step is still running
        raise ValueError("broken on purpose")

    @dg.asset(deps=[broken])
    def after_broken():
        pass

    @dg.asset(deps=[slow_independent])
    def after_independent():
        pass

    result = _run([slow_independent, broken, after_broken, after_independent])
    assert not result.success
    assert _materialized(result) == {"slow_independent", "after_independent"}
    failed = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE}
    assert failed == {"broken"}
    assert "after_broken" not in {
        e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START
    }


def test_an_exception_escaping_a_step_is_raised_after_the_other_step_finishes():
    finished = threading.Event()

    @dg.asset
    def long_step():
        time.sleep(0.5)
        finished.set()

    @dg.asset
    def raising():
        raise RuntimeError("raised on purpose")

    with pytest.raises(RuntimeError, match="raised on purpose"):
        _run([long_step, raising], raise_on_error=True)
    assert finished.is_set()  # the step beside it was not cut off


def test_a_failed_blocking_check_stops_the_assets_downstream_of_it():
    @dg.asset
    def checked():
        pass

    @dg.asset_check(asset=checked, blocking=True)
    def never_passes():
        return dg.AssetCheckResult(passed=False)

    @dg.asset(deps=[checked])
    def after_checked():
        pass

    @dg.asset
    def unrelated():
        pass

    result = _run([checked, after_checked, unrelated], checks=[never_passes])
    assert not result.success
    assert _materialized(result) == {"checked", "unrelated"}


def test_a_step_is_retried_as_its_retry_policy_says():
    attempts: list[int] = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError("not yet")

    @dg.asset(deps=[flaky])
    def after_flaky():
        pass

    result = _run([flaky, after_flaky])
    assert result.success
    assert len(attempts) == 3
    assert _materialized(result) == {"flaky", "after_flaky"}


def test_a_run_alone_step_has_no_step_beside_it():
    spans = _Spans()

    @dg.asset
    def a():
        spans("a", 0.3)

    @dg.asset(op_tags={RUN_ALONE_TAG: "true"})
    def alone():
        spans("alone", 0.3)

    @dg.asset
    def b():
        spans("b", 0.3)

    @dg.asset
    def c():
        spans("c", 0.3)

    assert _run([a, alone, b, c], max_concurrent=3).success
    for other in ("a", "b", "c"):
        assert spans.overlap("alone", other) <= 0, other
    assert max(spans.overlap("a", "b"), spans.overlap("a", "c"), spans.overlap("b", "c")) > 0


def _published_rows(settings: Settings) -> dict[str, list[tuple]]:
    """Every published mart's rows, order-free, without ``loaded_at`` (when a file was loaded is the run's
    clock, not content)."""
    found: dict[str, list[tuple]] = {}
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        columns = snap.execute(
            "SELECT table_name, list(column_name ORDER BY ordinal_position) FROM information_schema.columns "
            "WHERE table_schema = 'marts' GROUP BY table_name"
        ).fetchall()
        for table, names in columns:
            keep = ", ".join(f'"{c}"' for c in names if c != "loaded_at")
            found[table] = sorted(snap.execute(f'SELECT {keep} FROM marts."{table}"').fetchall(), key=repr)
    return found


def test_a_full_run_side_by_side_publishes_the_same_marts_as_one_step_at_a_time(tmp_path, monkeypatch):
    published = {}
    for threads in (1, 2):
        monkeypatch.setenv("PORTALYTICS_STEP_THREADS", str(threads))
        settings = Settings(data_dir=tmp_path / f"threads-{threads}")
        assert settings.step_threads == threads
        generate_all(settings, "tiny", 7)
        assert run_materialize(settings, "2026-03-01", console=Console(record=True, width=200)) == 0
        published[threads] = _published_rows(settings)
    assert len(published[1]) >= 40  # every mart, not an empty snapshot
    assert sum(len(rows) for rows in published[1].values()) > 1000
    assert published[2] == published[1]


@dg.asset
def _launched_left():
    pass


@dg.asset
def _launched_right():
    pass


def launched_job() -> dg.JobDefinition:
    """A job as ``dagster dev``, the sensor and the schedules run it: by the job's own executor."""
    return dg.Definitions(
        assets=[_launched_left, _launched_right],
        jobs=[dg.define_asset_job("launched", selection=dg.AssetSelection.all())],
        executor=side_by_side_executor(2),
    ).resolve_job_def("launched")


def test_a_run_executed_by_the_jobs_own_executor_uses_side_by_side(tmp_path):
    with (
        dg.instance_for_test(temp_dir=str(tmp_path)) as instance,
        dg.execute_job(dg.reconstructable(launched_job), instance=instance) as result,
    ):
        assert result.success
        messages = [e.message or "" for e in result.all_events]
    assert any("steps side by side in process" in m for m in messages)
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == {
        "_launched_left",
        "_launched_right",
    }
