"""Run a list of :class:`ExpectationSpec` on a pandas frame with an ephemeral great-expectations context.

GX is imported here, lazily, on first use: importing it costs seconds and most commands never validate.
``portalytics materialize`` starts a :class:`SuiteWorker` as soon as it knows the run will validate (before it
loads the asset graph): one child process that imports GX on the core the run's start-up leaves idle, and then
runs every suite of the run (``validate_frame`` sends it the frame). Without a worker (``dagster dev``, tests)
suites run in the calling process as before.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import sys
import threading
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from checks.expectations import ExpectationSpec, NotEqual

#: Op tag of a step whose work is a suite validated by the :class:`SuiteWorker`: the side-by-side executor
#: runs such steps one at a time in a lane of their own, beside the other steps (the worker validates one
#: suite at a time anyway, so a second one would only hold a step's place while it waits).
SUITE_WORKER_TAG = "portalytics/suite_worker"

#: GX 1.x keeps the current data context in a process-wide global (``project_manager``) that ``get_context``
#: sets and validation reads; pipeline steps run side by side in threads, so one suite validates at a time.
_GX_LOCK = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    spec: ExpectationSpec
    success: bool
    unexpected_count: int  # counts only: offending values may be personal data (an lc_user_id, a phone)


def validate_frame(frame, specs: list[ExpectationSpec], name: str) -> list[Outcome]:
    if not specs:
        return []
    worker = _worker
    if worker is not None:
        try:
            return worker.run(frame, specs, name)
        except BrokenProcessPool:  # the child died (killed, out of memory): validate here instead
            pass
    with _GX_LOCK:
        return _run_suite(frame, specs, name)


class SuiteWorker:
    """One child process (spawned: the parent has DuckDB's and Dagster's threads) that imports GX as soon as
    it starts and then validates the suites sent to it, one at a time."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_child
        )
        # the pool starts its process on the first task: the import, whose failure is left for each suite to
        # raise (a failed import leaves no module behind, so the suite's own import fails the same way)
        self._warm: Future = self._pool.submit(_import_gx)

    def run(self, frame, specs: list[ExpectationSpec], name: str) -> list[Outcome]:
        try:
            return self._pool.submit(_run_suite, frame, specs, name).result()
        except BrokenProcessPool:
            raise
        except BaseException as exc:
            # the pool chains the child's traceback as text (__cause__); the step reports the error itself,
            # as when the suite runs in-process
            exc.__cause__ = None
            exc.__suppress_context__ = True
            raise exc from None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_worker: SuiteWorker | None = None


def start_worker() -> None:
    """Start the suite worker of this process (once); :func:`stop_worker` ends it."""
    global _worker
    if _worker is None:
        _worker = SuiteWorker()


def stop_worker() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.close()


def _start_child() -> None:
    """Initializer of the worker process."""
    _without_spark()
    # At its end the worker has nothing to flush or close (each result is sent before the next suite), but
    # the interpreter's teardown of GX, pandas and numpy took 1.2-2.2 s, which the run's end waited for in
    # :meth:`SuiteWorker.close`. The first exit handler registered here runs first and skips that teardown.
    atexit.register(os._exit, 0)


def _without_spark() -> None:
    """The worker validates pandas frames only: GX's optional Spark and SQL support
    (``compatibility.pyspark``, ``compatibility.sqlalchemy``) then finds neither instead of importing them
    (0.4-0.5 s and 0.2 s of CPU; pyspark's import also exits a process whose main module has no file, as
    ``python -c`` has, taking it for its own doctests). The worker process only ever runs GX, so nothing else
    there wants them."""
    sys.modules.setdefault("pyspark", None)  # ty: ignore[invalid-assignment]
    sys.modules.setdefault("sqlalchemy", None)  # ty: ignore[invalid-assignment]


def _import_gx() -> bool:
    """The worker's first task. The import makes ~440k objects that live as long as the process and hardly
    any garbage, yet Python's collector would walk them ~680 times meanwhile (0.45 s of CPU, an eighth of the
    import): collection waits until the import is done, and then leaves what it made out of every later walk
    (``gc.freeze``; the suites' own collections cost 0.01-0.02 s of a full run either way)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gc.disable()
    try:
        import great_expectations  # noqa: F401
    except ImportError:
        return False
    finally:
        gc.freeze()
        gc.enable()
    return True


def _run_suite(frame, specs: list[ExpectationSpec], name: str) -> list[Outcome]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    batch = _whole_frames().get_batch(batch_parameters={"dataframe": frame})
    suffix = uuid.uuid4().hex[:8]
    # BOOLEAN_ONLY: GX computes what the verdict needs and nothing more. Its default (SUMMARY) also fetches up
    # to 20 offending values per expectation and counts them per value, values this module never reports: a
    # third of the validation's time (docs/operations.md, issue 22 point 1, fifth pass). Only the expectations
    # that failed are validated again, with BASIC, for their unexpected counts.
    verdicts = [bool(r.success) for r in _validate(gx, batch, specs, f"{name}_{suffix}", "BOOLEAN_ONLY")]
    failed = [i for i, ok in enumerate(verdicts) if not ok]
    counts = [0] * len(specs)  # a passing expectation has none: no suite here sets ``mostly``
    if failed:
        recount = _validate(gx, batch, [specs[i] for i in failed], f"{name}_{suffix}_failed", "BASIC")
        for i, res in zip(failed, recount, strict=True):
            counts[i] = int((res.result or {}).get("unexpected_count") or 0)
    return [Outcome(*row) for row in zip(specs, verdicts, counts, strict=True)]


#: The batch definition every suite of this process gets its batch from (:func:`_whole_frames`).
_batches = None


def _whole_frames():
    """A batch definition of "the whole dataframe given", in an ephemeral context made on the first suite and
    kept by the process: GX's context, data source and asset are the same for every suite (the frame comes
    with each ``get_batch``), and making them cost 35-50 ms a suite, most of it GX writing its configuration
    as YAML for each data source and asset added. Callers hold ``_GX_LOCK`` or are the worker's one thread."""
    global _batches
    if _batches is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _without_fingerprint()
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = context.data_sources.add_pandas("staging").add_dataframe_asset("frame")
        _batches = asset.add_batch_definition_whole_dataframe("whole")
    return _batches


def _without_fingerprint() -> None:
    """GX's pandas engine fingerprints every batch it gets (``pandas_data_fingerprint``: an md5 of pandas'
    hash of every row, strings dictionary-encoded first) for the result's metadata only, and gets the batch
    again for each ``validate``: 60 % of the suites' CPU on the medium frames. Nothing here reads it, and GX
    itself skips it for frames over ``HASH_THRESHOLD`` bytes; a threshold of 0 skips it for every frame
    (docs/operations.md, issue 22 point 1, seventh pass)."""
    from great_expectations.execution_engine import pandas_execution_engine

    if not hasattr(pandas_execution_engine, "HASH_THRESHOLD"):  # a GX that renamed it: fingerprint as before
        return
    pandas_execution_engine.HASH_THRESHOLD = 0


def _validate(gx, batch, specs: list[ExpectationSpec], suite_name: str, result_format: str) -> list:
    """GX's result of each spec, in the specs' order."""
    suite = gx.ExpectationSuite(name=suite_name)
    for spec in specs:
        suite.add_expectation(getattr(gx.expectations, spec.expectation)(**_gx_kwargs(spec.kwargs)))
    results = batch.validate(suite, result_format=result_format).results
    for spec, res in zip(specs, results, strict=True):
        # results come back in suite order; the type check guards that assumption
        assert res.expectation_config.type == _snake(spec.expectation), (res.expectation_config.type, spec)
    return results


def _gx_kwargs(kwargs: dict) -> dict:
    """The spec's keyword arguments with plain-data row conditions made GX condition objects."""
    from great_expectations.expectations.row_conditions import Column

    return {k: (Column(v.column) != v.value) if isinstance(v, NotEqual) else v for k, v in kwargs.items()}


def _snake(camel: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in camel).lstrip("_")
