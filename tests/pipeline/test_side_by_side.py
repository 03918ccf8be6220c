"""The side-by-side executor (``pipelines.side_by_side``): independent steps of one run overlap in threads of
the one process, and a run keeps the in-process executor's meaning (a failed step skips its downstream and
fails the run; a blocking check blocks; retries; a run-alone step runs alone); a full run's marts equal the
one-step-at-a-time run's. Ready steps start longest remaining path first (step times from the job's last run,
else a static table), a run-alone step that waits keeps its place, and heavy steps pair only on a small
landing."""

from __future__ import annotations

import threading
import time

import dagster as dg
import duckdb
import pytest
from rich.console import Console

from assets.common import HEAVY_TAG, RUN_ALONE_TAG
from checks.gx_runner import SUITE_WORKER_TAG
from domain.settings import Settings
from pipelines.generator.run import generate_all
from pipelines.materialize import run_materialize
from pipelines.side_by_side import (
    StartOrder,
    execute_in_process,
    heavy_side_by_side_for,
    longest_remaining_paths,
    side_by_side_executor,
)
from pipelines.step_estimates import DEFAULT_SECONDS, STATIC_SECONDS

WAIT = 20.0  # seconds a step waits for its partner before the test fails (never reached when they overlap)


def _run(
    assets,
    checks=(),
    max_concurrent: int = 2,
    raise_on_error: bool = False,
    seconds: dict[str, float] | None = None,
    heavy_side_by_side: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    job = dg.Definitions(
        assets=assets,
        asset_checks=list(checks),
        jobs=[dg.define_asset_job("all", selection=dg.AssetSelection.all())],
        executor=side_by_side_executor(
            max_concurrent, static_seconds=seconds or {}, heavy_side_by_side=lambda: heavy_side_by_side
        ),
    ).resolve_job_def("all")
    return execute_in_process(
        job,
        instance=instance or dg.DagsterInstance.ephemeral(),
        run_config={},
        tags={},
        raise_on_error=raise_on_error,
    )


def _start_order(result) -> list[str]:
    return [e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]


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


def test_longest_remaining_path_is_the_step_plus_its_longest_chain_downstream():
    # a (1 s) feeds b (2 s) and c (5 s), both feed d (1 s): d 1, b 2+1, c 5+1, a 1+max(3, 6)
    deps = {"a": set(), "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}
    paths = longest_remaining_paths(deps, {"a": 1.0, "b": 2.0, "c": 5.0, "d": 1.0})
    assert paths == {"a": 7.0, "b": 3.0, "c": 6.0, "d": 1.0}


def test_the_ready_step_with_the_most_work_behind_it_starts_first():
    @dg.asset
    def a_medium():
        pass

    @dg.asset
    def b_check_like():
        pass

    @dg.asset
    def c_short_root():
        pass

    @dg.asset(deps=[c_short_root])
    def d_long_tail():
        pass

    # remaining paths: c_short_root 1 + 10 = 11, d_long_tail 10, a_medium 5, b_check_like 3. One step at a
    # time: c_short_root, then of the ready d (10), a (5), b (3) the longest first. In the order the steps
    # became ready (the executor before session 9) the three roots would all come before d_long_tail.
    seconds = {"a_medium": 5.0, "b_check_like": 3.0, "c_short_root": 1.0, "d_long_tail": 10.0}
    result = _run([a_medium, b_check_like, c_short_root, d_long_tail], max_concurrent=1, seconds=seconds)
    assert result.success
    assert _start_order(result) == ["c_short_root", "d_long_tail", "a_medium", "b_check_like"]


def test_step_times_come_from_the_last_run_that_ran_every_step(tmp_path):
    def make_assets(sleep_x: float, sleep_y: float):
        @dg.asset
        def x():
            time.sleep(sleep_x)

        @dg.asset
        def y():
            time.sleep(sleep_y)

        return [x, y]

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        # no run yet: the static table's order (y first); y takes 1.2 s, x only Dagster's own few tenths
        first = _run(make_assets(0.0, 1.2), max_concurrent=1, seconds={"x": 1.0, "y": 5.0}, instance=instance)
        assert _start_order(first) == ["y", "x"]
        # now the table says x is the longer, and the first run's measured times say y: they win
        second = _run(
            make_assets(0.0, 0.0), max_concurrent=1, seconds={"x": 5.0, "y": 1.0}, instance=instance
        )
        assert _start_order(second) == ["y", "x"]
        said = [e.message or "" for e in second.all_events if "Start order" in (e.message or "")]
        assert said and f"step times from run {first.run_id}" in said[0]


def _order(seconds: dict[str, float], deps: dict[str, set[str]] | None = None, **rules) -> StartOrder:
    deps = deps or {k: set() for k in seconds}
    return StartOrder(seconds=seconds, path=longest_remaining_paths(deps, seconds), max_concurrent=2, **rules)


def test_a_waiting_run_alone_step_lets_only_steps_that_end_before_the_running_one_fill_the_gap():
    # "running" started at 0 and is expected to take 10 s; at 2 s a slot is free. The run-alone step is
    # first in line (20 s of work behind it) and waits for "running"; "fits" (5 s) ends at 7 <= 10 and
    # starts, "too_long" (9 s) would end at 11 > 10 and waits as well.
    order = _order({"running": 10.0, "alone": 20.0, "too_long": 9.0, "fits": 5.0}, alone=frozenset({"alone"}))
    assert order.choose(["too_long", "fits", "alone"], {"running": 0.0}, now=2.0) == ["fits"]
    # once nothing runs it starts, and alone, though a second slot is free
    assert order.choose(["too_long", "alone"], {}, now=10.0) == ["alone"]
    assert order.choose(["too_long"], {"alone": 10.0}, now=11.0) == []
    # a running step past its expected end leaves no gap to fill: the run-alone step is next
    assert order.choose(["fits", "alone"], {"running": 0.0}, now=12.0) == []
    # steps taking twice as long as expected so far: "running" should end at 20, "too_long" at 2 + 18 = 20
    assert order.choose(["too_long", "fits", "alone"], {"running": 0.0}, now=2.0, pace=2.0) == ["too_long"]


def test_heavy_steps_pair_only_when_the_rule_allows_and_a_light_step_starts_in_the_heavy_ones_place():
    heavy = frozenset({"heavy_a", "heavy_b"})
    seconds = {"heavy_a": 20.0, "heavy_b": 15.0, "light": 1.0}
    apart = _order(seconds, heavy=heavy, heavy_side_by_side=False)
    # heavy_b comes before light in line (15 > 1) but may not run beside heavy_a: light takes the slot
    assert apart.choose(["heavy_b", "light"], {"heavy_a": 0.0}, now=1.0) == ["light"]
    assert apart.choose(["heavy_a", "heavy_b", "light"], {}, now=0.0) == ["heavy_a", "light"]
    together = _order(seconds, heavy=heavy, heavy_side_by_side=True)
    assert together.choose(["heavy_a", "heavy_b", "light"], {}, now=0.0) == ["heavy_a", "heavy_b"]


def test_on_a_large_landing_two_heavy_steps_never_overlap_while_a_light_one_runs_beside_them():
    spans = _Spans()
    meet = threading.Barrier(2, timeout=WAIT)  # light and first_heavy must be inside their bodies at once

    @dg.asset(op_tags={HEAVY_TAG: "true"})
    def first_heavy():
        meet.wait()
        spans("first_heavy", 0.3)

    @dg.asset(op_tags={HEAVY_TAG: "true"})
    def second_heavy():
        spans("second_heavy", 0.3)

    @dg.asset
    def light():
        meet.wait()
        spans("light", 0.1)

    # line: first_heavy (3 s), second_heavy (2 s), light (1 s)
    seconds = {"first_heavy": 3.0, "second_heavy": 2.0, "light": 1.0}
    assert _run([first_heavy, second_heavy, light], seconds=seconds, heavy_side_by_side=False).success
    assert spans.overlap("first_heavy", "second_heavy") <= 0


def test_on_a_small_landing_heavy_steps_run_side_by_side():
    meet = threading.Barrier(2, timeout=WAIT)

    @dg.asset(op_tags={HEAVY_TAG: "true"})
    def one_heavy():
        meet.wait()

    @dg.asset(op_tags={HEAVY_TAG: "true"})
    def other_heavy():
        meet.wait()

    assert _run([one_heavy, other_heavy], heavy_side_by_side=True).success


def test_heavy_steps_pair_while_the_landing_is_at_most_the_configured_size(tmp_path):
    settings = Settings(data_dir=tmp_path, heavy_side_by_side_max_landing_gb=0.000002)  # 2,000 bytes
    allowed = heavy_side_by_side_for(settings)
    assert allowed()  # no landing folder yet: nothing to read
    (settings.landing_dir / "auth_events").mkdir(parents=True)
    (settings.landing_dir / "auth_events" / "day1.csv").write_bytes(b"x" * 1500)
    assert allowed()
    (settings.landing_dir / "ce_accounts.csv").write_bytes(b"x" * 501)  # 2,001 bytes in all
    assert not allowed()


def test_the_materialize_job_names_its_static_step_times_and_its_heavy_steps():
    from dagster._core.execution.api import create_execution_plan

    from pipelines.definitions import MATERIALIZE_ALL, build_definitions

    job = build_definitions(Settings()).resolve_job_def(MATERIALIZE_ALL)
    plan = create_execution_plan(job)
    keys = set(plan.step_keys_to_execute)
    assert set(STATIC_SECONDS) <= keys, set(STATIC_SECONDS) - keys  # a renamed step would fall to the default
    assert all(v > DEFAULT_SECONDS for v in STATIC_SECONDS.values())
    heavy = {k for k in keys if plan.get_step_by_key(k).tags.get(HEAVY_TAG) == "true"}
    # the large run's 7.8 GB came from the first two side by side; the third was its peak one at a time
    assert heavy == {"staging__auth_events", "ce_duplicate_accounts", "health_plan_claims"}


def test_a_suite_check_runs_in_its_own_lane_beside_two_other_steps():
    # three bodies must be inside at once: two assets in the two slots and the suite check in its lane
    meet = threading.Barrier(3, timeout=WAIT)

    @dg.asset
    def table():
        pass

    @dg.asset(deps=[table])
    def left():
        meet.wait()

    @dg.asset(deps=[table])
    def right():
        meet.wait()

    @dg.asset_check(asset=table, op_tags={SUITE_WORKER_TAG: "true"})
    def suite():
        meet.wait()
        return dg.AssetCheckResult(passed=True)

    result = _run([table, left, right], checks=[suite])
    assert result.success
    assert _materialized(result) == {"table", "left", "right"}


def test_one_step_at_a_time_has_no_suites_lane():
    spans = _Spans()

    @dg.asset
    def table():
        spans("table", 0.0)

    @dg.asset(deps=[table])
    def after():
        spans("after", 0.3)

    @dg.asset_check(asset=table, op_tags={SUITE_WORKER_TAG: "true"})
    def suite():
        spans("suite", 0.3)
        return dg.AssetCheckResult(passed=True)

    assert _run([table, after], checks=[suite], max_concurrent=1).success
    assert spans.overlap("after", "suite") <= 0


def test_suite_checks_start_one_at_a_time_as_soon_as_ready_without_taking_a_slot():
    lane = frozenset({"check_a", "check_b"})
    order = _order(
        {"big": 30.0, "mart": 10.0, "check_a": 2.0, "check_b": 1.0}, suite_lane=lane, suite_slots=1
    )
    # the checks have the shortest paths, yet one starts now, and the two other slots go to the others
    assert order.choose(["big", "mart", "check_a", "check_b"], {}, now=0.0) == ["big", "mart", "check_a"]
    # the lane holds one check: the second waits for it, and a slot freed by a mart is not the lane's
    assert order.choose(["check_b"], {"big": 0.0, "check_a": 0.0}, now=1.0) == []
    assert order.choose(["check_b"], {"big": 0.0}, now=2.0) == ["check_b"]
    # with no lane (one step at a time, or no suite steps) a check waits in line like any step
    plain = _order({"big": 30.0, "mart": 10.0, "check_a": 2.0}, suite_lane=lane)
    assert plain.choose(["check_a", "mart", "big"], {}, now=0.0) == ["big", "mart"]


def test_a_run_alone_step_waits_for_a_suite_check_and_no_check_starts_beside_it():
    order = _order(
        {"alone": 20.0, "check": 2.0},
        alone=frozenset({"alone"}),
        suite_lane=frozenset({"check"}),
        suite_slots=1,
    )
    assert order.choose(["alone"], {"check": 0.0}, now=1.0) == []
    assert order.choose(["check"], {"alone": 0.0}, now=1.0) == []


def test_the_materialize_job_sends_every_great_expectations_check_to_the_suites_lane():
    from dagster._core.execution.api import create_execution_plan

    from pipelines.definitions import MATERIALIZE_ALL, build_definitions

    plan = create_execution_plan(build_definitions(Settings()).resolve_job_def(MATERIALIZE_ALL))
    keys = set(plan.step_keys_to_execute)
    lane = {k for k in keys if plan.get_step_by_key(k).tags.get(SUITE_WORKER_TAG) == "true"}
    suites = {k for k in keys if k.endswith(("_expectations", "_references"))}
    assert suites and lane == suites


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
