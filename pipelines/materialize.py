"""``portalytics materialize``: run what changed in-process, show progress, print a summary.

Only the assets that changed since the last run are run, with their checks (see ``pipelines.incremental``):
the staging assets of sources with new landing files and everything downstream, the as-of marts when the as-of
date moved, the CE-merge marts when the CE team decided something, anything an unfinished run left pending,
then the publish. A run with nothing new runs nothing and publishes nothing. An empty warehouse, new code or
``full=True`` runs everything (the ``materialize_all`` job, as ``dagster dev`` and the schedule do).

Exit codes: 0 all good (rejected files are an outcome, named in the summary, not an error); 1 a blocking check
failed or a step failed (each is named); 2 bad arguments.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import gc
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.settings import Settings

DAGSTER_YAML = "telemetry:\n  enabled: false\n"
OWN_STORAGE = {"storage", "run_storage", "event_log_storage", "schedule_storage", "instance_class"}
MAX_LISTED = 20  # rejected files named in the summary; the ledger holds them all


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def dagster_instance(settings: Settings) -> dg.DagsterInstance:
    """The persistent Dagster instance under ``settings.dagster_home`` (run history for ``dagster dev``
    too)."""
    home = settings.dagster_home
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    if set(dagster_instance_config(str(home))[0]) & OWN_STORAGE:  # an operator's storage (Postgres…)
        return dg.DagsterInstance.get()
    # this process's run stores its events through open connections (pipelines.event_log); dagster.yaml is
    # left as is, so ``dagster dev`` and the daemon read the same files with Dagster's stock storage
    ref = InstanceRef.from_dir(str(home), overrides={"event_log_storage": _event_log_storage(home)})
    return dg.DagsterInstance.from_ref(ref)


def _event_log_storage(home) -> dict:
    return {
        "module": "pipelines.event_log",
        "class": "OpenSqliteEventLogStorage",
        "config": {"base_dir": os.path.join(str(home), "history", "runs", "")},
    }


class _ProgressHandler(logging.Handler):
    """Advances the progress bar on each finished step; prints step failures (Dagster's own messages)."""

    def __init__(self, progress: Progress, task, console: Console):
        super().__init__(logging.DEBUG)  # Dagster logs step events at DEBUG
        self.progress, self.task, self.console = progress, task, console

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.progress.update(self.task, description=f"[cyan]{event.step_key}")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            self.progress.advance(self.task)
            if kind == "STEP_FAILURE":
                self.console.print(f"[red]step failed:[/] {event.step_key}")


@dataclass
class Summary:
    files: int = 0
    files_rejected: int = 0
    rejected: list[str] = field(default_factory=list)  # "<source>/<file> (<reason>)"
    rows_loaded: int = 0
    rows_quarantined: int = 0
    marts_built: int = 0
    seconds: float = 0.0
    failed_checks: list[str] = field(default_factory=list)
    warned_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    plan: str = ""


def summarise(result, started: float) -> Summary:
    summary = Summary(seconds=time.perf_counter() - started)
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        if mat.asset_key.path[0] == "staging":
            summary.files += sum(
                int(meta.get(k, 0)) for k in ("files_loaded", "files_rejected", "files_duplicate")
            )
            summary.files_rejected += int(meta.get("files_rejected", 0))
            for r in meta.get("rejected_files") or []:
                summary.rejected.append(f"{mat.asset_key.path[-1]}/{r['file']} ({r['reason']})")
            summary.rows_loaded += int(meta.get("rows_loaded", 0))
            summary.rows_quarantined += int(meta.get("rows_quarantined", 0))
        elif mat.asset_key.path[0] == "marts":
            summary.marts_built += 1
    for ev in result.get_asset_check_evaluations():
        if ev.passed:
            continue
        name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
        if ev.blocking and ev.severity == dg.AssetCheckSeverity.ERROR:
            summary.failed_checks.append(f"{name} ({ev.description or 'failed'})")
        else:
            summary.warned_checks.append(f"{name} ({ev.description or 'failed'})")
    for e in result.get_step_failure_events():
        error = e.step_failure_data.error
        while (
            error is not None and error.cause is not None
        ):  # the user code's exception, not Dagster's wrapper
            error = error.cause
        message = (error.message if error else "").strip().splitlines()
        summary.failed_steps.append(f"{e.step_key}: {message[-1] if message else 'failed'}")
    return summary


def _print_summary(console: Console, s: Summary) -> None:
    if s.plan:
        console.print(s.plan)
    console.print(
        f"files {s.files} ({s.files_rejected} rejected) · rows loaded {s.rows_loaded:,} · "
        f"rows quarantined {s.rows_quarantined:,} · marts built {s.marts_built} · {s.seconds:.1f} s"
    )
    for r in s.rejected[:MAX_LISTED]:  # a file name is not markup, and may hold control characters
        console.print(f"[yellow]rejected file:[/] {escape(_printable(r))}")
    if len(s.rejected) > MAX_LISTED:
        console.print(
            f"[yellow]… and {len(s.rejected) - MAX_LISTED} more rejected files[/] (marts.ingest_ledger)"
        )
    for w in s.warned_checks:
        console.print(f"[yellow]check warning:[/] {w}")
    for f in s.failed_checks:
        console.print(f"[red]blocking check failed:[/] {f}")
    for f in s.failed_steps:
        console.print(f"[red]failed step:[/] {f}")


def _describe(plan, total: int) -> str:
    kind = "full run" if plan.full else f"incremental run: {len(plan.assets)} of {total} assets"
    return f"{kind} ({'; '.join(plan.reasons)})"


def _changes(settings: Settings, as_of: str | None, full: bool):
    """What changed since the last run (one short warehouse connection, closed before the run opens its
    own)."""
    from assets.common import RunSettings
    from assets.warehouse import open_warehouse
    from pipelines import incremental

    as_of_date = RunSettings(as_of=as_of, org_timezone=settings.org_timezone).as_of_date().isoformat()
    decisions = incremental.decisions_fingerprint(settings)
    code = incremental.code_fingerprint(settings.org_timezone)
    with open_warehouse(settings.warehouse_path) as conn:
        return incremental.find_changes(conn, settings, as_of_date, decisions, code, full=full)


def _start(settings: Settings, plan) -> None:
    from assets.warehouse import open_warehouse
    from pipelines import incremental

    with open_warehouse(settings.warehouse_path) as conn:
        incremental.record_start(conn, plan)


def _finish(settings: Settings) -> None:
    from assets.warehouse import open_warehouse
    from pipelines import incremental

    with open_warehouse(settings.warehouse_path) as conn:
        incremental.record_success(conn)


def run_materialize(
    settings: Settings, as_of: str | None = None, console: Console | None = None, full: bool = False
) -> int:
    """Materialize what changed (everything with ``full``); returns the exit code."""
    console = console or Console()
    if as_of is not None:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            console.print(f"[red]--as-of must be a date YYYY-MM-DD, got {as_of!r}[/]")
            return 2
    started = time.perf_counter()
    settings.ensure_root()  # 0700, and every file of the run 0600
    collecting = gc.isenabled()
    gc.disable()  # until the start-up's objects are frozen (_freeze_start_up)
    try:
        return _changes_then_run(settings, as_of, console, full, started)
    finally:
        gc.unfreeze()  # the freeze lasts as long as the run (a caller running several keeps collecting)
        if collecting:
            gc.enable()


def _changes_then_run(
    settings: Settings, as_of: str | None, console: Console, full: bool, started: float
) -> int:
    changes = _changes(settings, as_of, full)
    if changes.nothing:  # decided before loading the asset graph: a run with nothing new costs seconds
        console.print(
            "nothing new since the last run (no new landing files, same as-of date, no new CE decisions): "
            f"nothing materialized, nothing published · {time.perf_counter() - started:.1f} s"
        )
        return 0
    from assets.common import STAGING
    from checks import gx_runner

    if changes.full or any(k.path[0] == STAGING for k in changes.roots):  # the run will validate suites:
        gx_runner.start_worker()  # GX imports in a child process, on the core the start-up leaves idle
    try:
        return _run(settings, as_of, console, changes, started)
    finally:
        gx_runner.stop_worker()


def _freeze_start_up() -> None:
    """The imports and the definitions leave ~250k objects that live as long as the run, and the collector's
    passes walked them again and again (medium run: 1.8 s of CPU with the GIL held, 0.6 s of it in the
    single-threaded start-up; 1.36 s in full passes). The collector is off for the start-up
    (:func:`run_materialize`; the CLI also for its imports); here its objects are frozen (no pass walks them
    again) and the collector is turned back on for what the run creates."""
    gc.freeze()
    gc.enable()


def _run(settings: Settings, as_of: str | None, console: Console, changes, started: float) -> int:
    with (
        dagster_instance(settings) as instance,  # disposing it closes the event log's connections
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("starting", total=None)
        handler = _ProgressHandler(progress, task, console)

        @dg.logger
        def progress_logger(_init_context) -> logging.Logger:
            log = logging.getLogger("portalytics.materialize")
            log.handlers = [handler]
            log.setLevel(logging.DEBUG)
            log.propagate = False
            return log

        from pipelines.definitions import MATERIALIZE_ALL, build_definitions  # imports every asset: seconds
        from pipelines.incremental import select

        job = build_definitions(settings, as_of, loggers={"progress": progress_logger}).resolve_job_def(
            MATERIALIZE_ALL
        )
        graph = job.asset_layer.asset_graph
        plan = select(graph, changes)
        if plan.empty:  # only pending assets that no longer exist: nothing to run, nothing pending any more
            _finish(settings)
            console.print(f"nothing to run · {time.perf_counter() - started:.1f} s")
            return 0
        _start(settings, plan)
        if not plan.full:
            job = job.get_subset(asset_selection=set(plan.assets), asset_check_selection=set(plan.checks))
        progress.update(task, total=len(job.nodes))
        _freeze_start_up()
        from assets.increments import INCREMENTAL, PLAN_TAG
        from pipelines.side_by_side import execute_in_process

        result = execute_in_process(  # the job's executor: independent steps side by side
            job,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
            tags={PLAN_TAG: "full" if plan.full else INCREMENTAL},
        )
        progress.update(task, description="done")
    summary = summarise(result, started)
    summary.plan = _describe(plan, len(graph.get_all_asset_keys()))
    _print_summary(console, summary)
    ok = result.success and not summary.failed_checks and not summary.failed_steps
    if ok:
        _finish(settings)
    return 0 if ok else 1


def exit_now(code: int) -> None:
    """End the ``portalytics materialize`` process with ``code`` without the interpreter's teardown.

    After a run the process holds the objects of every module it imported (Dagster, DuckDB, ibis, pandas...),
    and the interpreter's teardown freeing them one by one took 1-2 s of CPU (one more day, medium) after the
    summary was printed. Here what an exit must still do is done first: the state store's connections are
    closed (SQLite then folds its -wal file back), the exit handlers run (logging, multiprocessing,
    temporary files), the output is flushed; then the process ends. Returns, for the ordinary exit, when
    another thread than this one is still running (nothing of the run's should be)."""
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if any(t.is_alive() and not t.daemon for t in others):
        return
    from reports.state.db import dispose_engines

    dispose_engines()
    atexit._run_exitfuncs()  # the handlers an ordinary exit runs, in their order
    for stream in (sys.stdout, sys.stderr):
        # a reader gone (``| head``) or a closed stream: nothing more to write
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
