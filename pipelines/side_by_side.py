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

Steps tagged ``RUN_ALONE_TAG`` run with no other step beside them (the cost-share step: its own worker
processes already keep both cores busy, and its memory is the largest).

Compute logs are captured once for the whole process, as the in-process executor does; lines printed by two
steps at the same time land in the same capture.
"""

from __future__ import annotations

import os
import queue
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

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

from assets.common import RUN_ALONE_TAG

#: How many steps run at once unless ``PORTALYTICS_STEP_THREADS`` or the run's executor config says otherwise.
DEFAULT_MAX_CONCURRENT = 2

_POLL_SECONDS = 0.5  # how often the calling thread looks at retries waiting for their time while steps run


@dataclass
class _Running:
    context: StepExecutionContext
    events: list[DagsterEvent] = field(default_factory=list)
    alone: bool = False


@dataclass(frozen=True)
class _Message:
    step_key: str
    event: DagsterEvent | None = None  # None: the step's thread is done
    error: BaseException | None = None  # what escaped the step (raise_on_error, an interrupt)


class SideBySideExecutor(Executor):
    def __init__(self, retries: RetryMode, max_concurrent: int = DEFAULT_MAX_CONCURRENT):
        self._retries = retries
        self.max_concurrent = max(1, max_concurrent)

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
            yield from side_by_side_iterator(job_context, execution_plan, self.max_concurrent, concurrency)


def side_by_side_iterator(
    job_context: PlanExecutionContext,
    execution_plan: ExecutionPlan,
    max_concurrent: int,
    instance_concurrency_context: InstanceConcurrencyContext | None = None,
) -> Iterator[DagsterEvent]:
    """``inner_plan_execution_iterator`` of Dagster's in-process executor, with up to ``max_concurrent`` steps
    in flight in worker threads."""
    compute_log_manager = job_context.instance.compute_log_manager
    step_keys = [step.key for step in execution_plan.get_steps_to_execute_in_topo_order()]
    inbox: queue.Queue[_Message] = queue.Queue()
    running: dict[str, _Running] = {}
    escaped: BaseException | None = None
    with (
        execution_plan.start(
            retry_mode=job_context.retry_mode,
            instance_concurrency_context=instance_concurrency_context,
            step_dependency_config=job_context.step_dependency_config,
        ) as active,
        ThreadPoolExecutor(max_concurrent, thread_name_prefix="portalytics-step") as pool,
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
                for step in _next_steps(active, running, max_concurrent):
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
                    running[step.key] = _Running(step_context, alone=_runs_alone(step))
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


def _next_steps(active, running: dict[str, _Running], max_concurrent: int) -> list[ExecutionStep]:
    """Ready steps to start now: up to the free slots, none beside a run-alone step."""
    free = max_concurrent - len(running)
    if free <= 0 or any(r.alone for r in running.values()):
        return []
    # ActiveExecution vends the ready steps in its own order and marks them in flight; a run-alone step
    # among them is started only when nothing else runs, so ask for one step at a time.
    started: list[ExecutionStep] = []
    while free > 0:
        steps = active.get_steps_to_execute(limit=1)
        if not steps:
            break
        step = steps[0]
        # a step up for retry is ready again as soon as its failed attempt says so; it starts once that
        # attempt's thread is done (and its end handled), so one step key is never in two threads
        if step.key in running or (_runs_alone(step) and (running or started)):
            _give_back(active, step)
            break
        started.append(step)
        free -= 1
        if _runs_alone(step):
            break
    return started


def _give_back(active, step: ExecutionStep) -> None:
    """Undo ``get_steps_to_execute`` for a step not started yet (it stays ready, first in line)."""
    active._in_flight.remove(step.key)  # noqa: SLF001 - ActiveExecution has no public "unvend"
    active._executable.insert(0, step.key)  # noqa: SLF001


def _runs_alone(step: ExecutionStep) -> bool:
    return step.tags.get(RUN_ALONE_TAG) == "true"


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


def side_by_side_executor(max_concurrent: int = DEFAULT_MAX_CONCURRENT) -> dg.ExecutorDefinition:
    """The executor, running up to ``max_concurrent`` steps at once unless the run's config
    (``execution: {config: {max_concurrent: N}}``) says otherwise; 1 runs one step at a time."""

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
