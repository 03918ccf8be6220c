"""A Dagster executor that runs independent steps side by side in ONE process, in threads (issue 22 point 1).

Dagster 1.13's in-process executor runs one step at a time, and its multiprocess executor cannot be used here:
DuckDB allows one writing process. Inside one process DuckDB allows many connections writing at once (they
share one database instance: one buffer pool, one ``memory_limit``, one pool of DuckDB threads) and releases
the GIL while a query runs, so two steps of the asset graph that do not depend on each other can overlap.

How it works: the run's bookkeeping (Dagster's ``ActiveExecution``: which steps are ready, which are skipped
or abandoned after a failure, retries, blocking asset checks) stays on the calling thread, exactly as the
in-process executor drives it. Up to ``max_concurrent`` ready steps run ``dagster_event_sequence_for_step`` in
worker threads; their events come back through one queue and are yielded and handled on the calling thread in
the order they arrive. When a step ends, the calling thread does what the in-process executor does after a
step: ``verify_complete``, the plan's skip/abandon events, then the step's hooks. So a failed step skips or
abandons its downstream and fails the run while independent steps already running (or ready) finish.

Which ready step starts first (session 9): the one with the longest path of work still behind it (its own
expected seconds plus the longest chain of steps downstream of it: "longest remaining path" list
scheduling), so the chain that decides the run's end starts early and short steps with nothing behind them
(the checks) fill the gaps. Expected seconds come from ``pipelines.step_estimates``: the last successful run
of the job that ran every step of this one, else a static table of the medium scale's walls. Two rules on
top of the order:

- a step tagged ``RUN_ALONE_TAG`` runs with no other step beside it. When it is first in line while others
  run, it keeps its place: a free slot takes only steps expected to end before the running ones (expected
  times scaled by the run's pace so far: a busy machine makes every step slower), and it starts when they
  have ended. (Since session 9 no step of the materialize job is tagged: the cost share is heavy instead.)
- steps tagged ``HEAVY_TAG`` (memory beyond DuckDB's shared pool that grows with the data) run beside each
  other only while the landing is small (``Settings.heavy_side_by_side_max_landing_gb``); otherwise a heavy
  step waits for the running one and the next step in line starts instead.

The suites' lane (session 10): a step tagged ``SUITE_WORKER_TAG`` (a great-expectations check: its work is the
suite the one worker process validates) runs in a lane of its own, one at a time, beside the
``max_concurrent`` other steps, as soon as its table is ready. In the lane of the other steps, a check (no
step downstream, so the shortest remaining path) started only once nothing else was left: the medium run's
last 7 s were the checks one after the other, with one core idle. One step at a time (``max_concurrent`` 1)
has no lane.

Compute logs are captured once for the whole process, as the in-process executor does; lines printed by two
steps at the same time land in the same capture.
"""

from __future__ import annotations

import os
import queue
import sys
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.api import ExecuteRunWithPlanIterable
from dagster._core.execution.compute_logs import create_compute_log_file_key
from dagster._core.execution.context.system import (
    PlanExecutionContext,
    PlanOrchestrationContext,
    StepExecutionContext,
)
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.plan.execute_plan import _trigger_hook, dagster_event_sequence_for_step
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.plan.step import ExecutionStep
from dagster._core.execution.retries import RetryMode, get_retries_config
from dagster._core.executor.base import Executor
from dagster._core.storage.tags import PRIORITY_TAG

from assets.common import HEAVY_TAG, RUN_ALONE_TAG
from checks.gx_runner import SUITE_WORKER_TAG
from domain.settings import Settings
from pipelines.step_estimates import STATIC_SECONDS, estimate_steps

#: How many steps run at once unless ``PORTALYTICS_STEP_THREADS`` or the run's executor config says otherwise.
DEFAULT_MAX_CONCURRENT = 2

_POLL_SECONDS = 0.5  # how often the calling thread looks at retries waiting for their time while steps run


@dataclass
class _Running:
    context: StepExecutionContext
    started: float  # time.monotonic()
    events: list[DagsterEvent] = field(default_factory=list)
    alone: bool = False


def longest_remaining_paths(
    deps: Mapping[str, Collection[str]], seconds: Mapping[str, float]
) -> dict[str, float]:
    """Each step's expected seconds plus the longest chain of expected seconds downstream of it."""
    downstream: dict[str, list[str]] = {k: [] for k in deps}
    for key, ups in deps.items():
        for up in ups:
            if up in downstream:
                downstream[up].append(key)
    paths: dict[str, float] = {}
    for key in _downstream_first(downstream):
        paths[key] = seconds[key] + max((paths[d] for d in downstream[key]), default=0.0)
    return paths


def _downstream_first(downstream: Mapping[str, Collection[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    for root in downstream:
        stack = [(root, False)]
        while stack:  # iterative depth-first post-order: a plan can be deeper than the recursion limit
            key, expanded = stack.pop()
            if expanded:
                order.append(key)
            elif key not in seen:
                seen.add(key)
                stack.append((key, True))
                stack.extend((d, False) for d in downstream[key] if d not in seen)
    return order


@dataclass(frozen=True)
class StartOrder:
    """Which ready steps start now (no Dagster in here: the executor hands it keys and times)."""

    seconds: Mapping[str, float]  # expected seconds of each step
    path: Mapping[str, float]  # longest remaining path of each step
    max_concurrent: int
    alone: frozenset[str] = frozenset()
    heavy: frozenset[str] = frozenset()
    heavy_side_by_side: bool = True
    priority: Mapping[str, int] = field(default_factory=dict)  # ``dagster/priority``: before the path
    suite_lane: frozenset[str] = frozenset()  # steps that run in the suites' lane when it has a slot
    suite_slots: int = 0  # steps at once in the suites' lane (0: those steps take the other steps' slots)

    @property
    def capacity(self) -> int:
        """How many steps may run at once, in both lanes."""
        return self.max_concurrent + self.suite_slots

    def _in_lane(self, key: str) -> bool:
        return self.suite_slots > 0 and key in self.suite_lane

    def rank(self, ready: Sequence[str]) -> list[str]:
        """Highest ``dagster/priority`` first, then the longest remaining path; ties keep their order."""
        return sorted(ready, key=lambda k: (-self.priority.get(k, 0), -self.path[k]))

    def choose(
        self, ready: Sequence[str], running: Mapping[str, float], now: float, pace: float = 1.0
    ) -> list[str]:
        """The steps of ``ready`` to start at ``now``, given the running steps and when each started.
        ``pace``: how much longer than expected this run's steps have taken so far (a busy machine, a larger
        landing than the one the times came from), applied to the expected times of the steps."""
        if any(k in self.alone for k in running):
            return []
        in_lane = sum(1 for k in running if self._in_lane(k))
        free = self.max_concurrent - (len(running) - in_lane)
        lane_free = self.suite_slots - in_lane
        heavy_running = any(k in self.heavy for k in running)
        # once a run-alone step waits, a slot takes only what should end before the running steps
        reserved_until: float | None = None
        started: list[str] = []
        for key in self.rank(ready):
            if self._in_lane(key):
                if lane_free > 0 and (
                    reserved_until is None or now + self.seconds[key] * pace <= reserved_until
                ):
                    started.append(key)
                    lane_free -= 1
                    running = {**running, key: now}
                continue
            if free <= 0:
                continue
            if key in self.alone:
                if running or started:
                    if reserved_until is None:
                        reserved_until = max(
                            max(start + self.seconds[k] * pace, now) for k, start in running.items()
                        )
                    continue
                return [key]
            if key in self.heavy and heavy_running and not self.heavy_side_by_side:
                continue
            if reserved_until is not None and now + self.seconds[key] * pace > reserved_until:
                continue
            started.append(key)
            free -= 1
            heavy_running = heavy_running or key in self.heavy
            running = {**running, key: now}
        return started


@dataclass(frozen=True)
class _Message:
    step_key: str
    event: DagsterEvent | None = None  # None: the step's thread is done
    error: BaseException | None = None  # what escaped the step (raise_on_error, an interrupt)


@dataclass
class _Pace:
    """Seconds the run's finished steps took against the seconds expected of them."""

    expected: float = 0.0
    took: float = 0.0

    def add(self, expected: float, took: float) -> None:
        self.expected += expected
        self.took += took

    @property
    def factor(self) -> float:
        return self.took / self.expected if self.expected > 0 else 1.0


def _always() -> bool:
    return True


class SideBySideExecutor(Executor):
    def __init__(
        self,
        retries: RetryMode,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        static_seconds: Mapping[str, float] = STATIC_SECONDS,
        heavy_side_by_side: Callable[[], bool] = _always,
    ):
        self._retries = retries
        self.max_concurrent = max(1, max_concurrent)
        self.static_seconds = static_seconds
        self.heavy_side_by_side = heavy_side_by_side

    @property
    def retries(self) -> RetryMode:
        return self._retries

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        step_keys = execution_plan.step_keys_to_execute
        yield DagsterEvent.engine_event(
            plan_context,
            f"Executing up to {self.max_concurrent} steps side by side in process (pid: {os.getpid()})",
            event_specific_data=EngineEventData.in_process(os.getpid(), step_keys),
        )
        yield from iter(
            ExecuteRunWithPlanIterable(
                execution_plan=plan_context.execution_plan,
                iterator=self._iterator,
                execution_context_manager=PlanExecutionContextManager(
                    job=plan_context.job,
                    retry_mode=plan_context.retry_mode,
                    execution_plan=plan_context.execution_plan,
                    run_config=plan_context.run_config,
                    dagster_run=plan_context.dagster_run,
                    instance=plan_context.instance,
                    raise_on_error=plan_context.raise_on_error,
                    output_capture=plan_context.output_capture,
                ),
            )
        )
        yield DagsterEvent.engine_event(
            plan_context,
            f"Finished steps side by side in process (pid: {os.getpid()})",
            event_specific_data=EngineEventData.in_process(os.getpid(), step_keys),
        )

    def _iterator(
        self, job_context: PlanExecutionContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        with InstanceConcurrencyContext(job_context.instance, job_context.dagster_run) as concurrency:
            order, source = start_order(
                job_context,
                execution_plan,
                self.max_concurrent,
                self.static_seconds,
                self.heavy_side_by_side(),
            )
            yield DagsterEvent.engine_event(job_context, order_message(order, source), EngineEventData())
            yield from side_by_side_iterator(job_context, execution_plan, order, concurrency)


def start_order(
    job_context: PlanExecutionContext,
    execution_plan: ExecutionPlan,
    max_concurrent: int,
    static_seconds: Mapping[str, float],
    heavy_side_by_side: bool,
) -> tuple[StartOrder, str]:
    """The run's order and where its step times came from."""
    steps = execution_plan.get_steps_to_execute_in_topo_order()
    keys = [s.key for s in steps]
    estimates = estimate_steps(job_context.instance, job_context.dagster_run.job_name, keys, static_seconds)
    seconds = {k: estimates[k] for k in keys}
    deps = {k: v for k, v in execution_plan.get_executable_step_deps().items() if k in seconds}
    suite_lane = frozenset(s.key for s in steps if s.tags.get(SUITE_WORKER_TAG) == "true")
    return StartOrder(
        seconds=seconds,
        path=longest_remaining_paths(deps, seconds),
        max_concurrent=max_concurrent,
        alone=frozenset(s.key for s in steps if _runs_alone(s)),
        heavy=frozenset(s.key for s in steps if s.tags.get(HEAVY_TAG) == "true"),
        heavy_side_by_side=heavy_side_by_side,
        priority={s.key: int(s.tags[PRIORITY_TAG]) for s in steps if s.tags.get(PRIORITY_TAG)},
        suite_lane=suite_lane,
        suite_slots=1 if suite_lane and max_concurrent > 1 else 0,
    ), estimates.source


def order_message(order: StartOrder, source: str) -> str:
    first = ", ".join(f"{k} {order.path[k]:.1f} s" for k in order.rank(list(order.path))[:3])
    heavy = "yes" if order.heavy_side_by_side else "no (large landing)"
    return (
        f"Start order: longest remaining path, step times from {source} (first: {first}); "
        f"heavy steps side by side: {heavy}; suites' lane: {order.suite_slots} step at a time"
    )


def side_by_side_iterator(
    job_context: PlanExecutionContext,
    execution_plan: ExecutionPlan,
    order: StartOrder,
    instance_concurrency_context: InstanceConcurrencyContext | None = None,
) -> Iterator[DagsterEvent]:
    """``inner_plan_execution_iterator`` of Dagster's in-process executor, with up to
    ``order.max_concurrent`` steps in flight in worker threads, started in ``order``."""
    compute_log_manager = job_context.instance.compute_log_manager
    step_keys = [step.key for step in execution_plan.get_steps_to_execute_in_topo_order()]
    inbox: queue.Queue[_Message] = queue.Queue()
    running: dict[str, _Running] = {}
    pace = _Pace()
    escaped: BaseException | None = None
    with (
        execution_plan.start(
            retry_mode=job_context.retry_mode,
            instance_concurrency_context=instance_concurrency_context,
            step_dependency_config=job_context.step_dependency_config,
        ) as active,
        ThreadPoolExecutor(order.capacity, thread_name_prefix="portalytics-step") as pool,
        ExitStack() as capture_stack,
    ):
        file_key = create_compute_log_file_key()
        log_key = compute_log_manager.build_log_key_for_run(job_context.run_id, file_key)
        try:  # one capture for the whole process, as the in-process executor does
            log_context = capture_stack.enter_context(compute_log_manager.capture_logs(log_key))
            yield DagsterEvent.capture_logs(job_context, step_keys, log_key, log_context)
        except Exception:
            yield DagsterEvent.engine_event(
                plan_context=job_context,
                message="Exception while setting up compute log capture",
                event_specific_data=EngineEventData(error=_error_info(sys.exc_info())),
            )

        while not active.is_complete or running:
            if escaped is None and not active.is_complete:
                for step in _next_steps(active, running, order, pace.factor):
                    step_context = job_context.for_step(step, active.get_known_state())
                    missing = [
                        k
                        for k in step_context.required_resource_keys
                        if not hasattr(step_context.resources, k)
                    ]
                    if missing:
                        raise dg.DagsterInvariantViolationError(
                            f"Step {step.key} is missing the resources {missing}."
                        )
                    running[step.key] = _Running(step_context, time.monotonic(), alone=_runs_alone(step))
                    pool.submit(_run_step, step_context, inbox)
                yield from active.concurrency_event_iterator(job_context)
            if not running:
                if escaped is not None:
                    break
                active.sleep_til_ready()
                continue
            try:
                message = inbox.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            entry = running[message.step_key]
            if message.event is not None:
                entry.events.append(message.event)
                yield message.event
                active.handle_event(message.event)
                continue
            del running[message.step_key]
            pace.add(order.seconds.get(message.step_key, 0.0), time.monotonic() - entry.started)
            if message.error is not None:
                escaped = escaped or message.error  # raised once the steps still running have finished
                continue
            active.verify_complete(job_context, message.step_key)
            for event in active.plan_events_iterator(job_context):  # skips from failures, uncovered inputs
                entry.events.append(event)
                yield event
            yield from _trigger_hook(entry.context, entry.events)

        if escaped is not None:  # as the in-process executor: what escaped a step ends the run here
            raise escaped
        try:
            capture_stack.close()
        except Exception:
            yield DagsterEvent.engine_event(
                plan_context=job_context,
                message="Exception while cleaning up compute log capture",
                event_specific_data=EngineEventData(error=_error_info(sys.exc_info())),
            )


def _next_steps(active, running: dict[str, _Running], order: StartOrder, pace: float) -> list[ExecutionStep]:
    """Ready steps to start now, as ``order`` chooses them."""
    if len(running) >= order.capacity or any(r.alone for r in running.values()):
        return []
    # ActiveExecution vends every ready step and marks it in flight; the ones not chosen go back. (A step in a
    # Dagster pool would have claimed its slot on the way: this project's steps use none.)
    vended = list(active.get_steps_to_execute())
    # a step up for retry is ready again as soon as its failed attempt says so; it starts once that attempt's
    # thread is done (and its end handled), so one step key is never in two threads
    ready = [s.key for s in vended if s.key not in running]
    chosen = set(order.choose(ready, {k: r.started for k, r in running.items()}, time.monotonic(), pace))
    _give_back(active, [s.key for s in vended if s.key not in chosen])
    return [s for s in vended if s.key in chosen]


def _give_back(active, step_keys: list[str]) -> None:
    """Undo ``get_steps_to_execute`` for steps not started now (they stay ready, in their order)."""
    for key in step_keys:
        active._in_flight.remove(key)  # noqa: SLF001 - ActiveExecution has no public "unvend"
    active._executable[0:0] = step_keys  # noqa: SLF001


def _runs_alone(step: ExecutionStep) -> bool:
    return step.tags.get(RUN_ALONE_TAG) == "true"


def landing_gb(landing_dir: Path) -> float:
    """Size of every file under the landing folder, in GB: what a full run reads."""
    if not landing_dir.is_dir():
        return 0.0
    return sum(f.stat().st_size for f in landing_dir.rglob("*") if f.is_file()) / 1e9


def heavy_side_by_side_for(settings: Settings) -> Callable[[], bool]:
    """Heavy steps side by side while the landing holds at most ``heavy_side_by_side_max_landing_gb``: their
    memory outside DuckDB's pool grows with the data (two heavy steps side by side: 2.85 GB peak on the medium
    landing of 2.1 GB, 7.8 GB on the large one of 21 GB)."""
    return lambda: landing_gb(settings.landing_dir) <= settings.heavy_side_by_side_max_landing_gb


def _run_step(step_context: StepExecutionContext, inbox: queue.Queue[_Message]) -> None:
    key = step_context.step.key
    error: BaseException | None = None
    try:
        for event in dagster_event_sequence_for_step(step_context):
            inbox.put(_Message(key, event=event))
    except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, raised there
        error = exc
    inbox.put(_Message(key, error=error))


def _error_info(exc_info):
    from dagster._utils.error import serializable_error_info_from_exc_info

    return serializable_error_info_from_exc_info(exc_info)


def side_by_side_executor(
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    static_seconds: Mapping[str, float] = STATIC_SECONDS,
    heavy_side_by_side: Callable[[], bool] = _always,
) -> dg.ExecutorDefinition:
    """The executor, running up to ``max_concurrent`` steps at once unless the run's config
    (``execution: {config: {max_concurrent: N}}``) says otherwise; 1 runs one step at a time.
    ``static_seconds``: expected step times when the job has no run to learn them from;
    ``heavy_side_by_side``: asked when a run starts whether heavy steps may run beside each other."""

    @dg.executor(
        name="side_by_side",
        config_schema={
            "max_concurrent": dg.Field(
                int, default_value=max_concurrent, description="How many steps run at once in this process."
            ),
            "retries": get_retries_config(),
        },
    )
    def _side_by_side(init_context: dg.InitExecutorContext) -> SideBySideExecutor:
        config = init_context.executor_config
        return SideBySideExecutor(
            retries=RetryMode.from_config(config["retries"]),  # ty: ignore[invalid-argument-type]
            max_concurrent=config["max_concurrent"],  # ty: ignore[invalid-argument-type]
            static_seconds=static_seconds,
            heavy_side_by_side=heavy_side_by_side,
        )

    return _side_by_side


def execute_in_process(
    job: dg.JobDefinition,
    *,
    instance: dg.DagsterInstance,
    run_config: dict,
    tags: dict[str, str],
    raise_on_error: bool = False,
) -> dg.ExecuteInProcessResult:
    """``job.execute_in_process`` with the job's own executor: Dagster's method always swaps in its in-process
    executor (one step at a time); this does everything else as it does (in-memory IO manager, the run
    recorded in ``instance``)."""
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster._core.execution.execute_in_process import core_execute_in_process, merge_run_tags

    ephemeral = job.as_ephemeral_job(resource_defs={}, input_values={}).with_executor_def(job.executor_def)
    return core_execute_in_process(
        run_config=run_config,
        job=InMemoryJob(job_def=ephemeral),
        instance=instance,
        output_capturing_enabled=True,
        raise_on_error=raise_on_error,
        run_tags=merge_run_tags(
            job_def=job,
            partition_key=None,
            tags=tags,
            asset_selection=None,
            instance=instance,
            run_config=run_config,
        ),
        asset_selection=frozenset(),
    )
