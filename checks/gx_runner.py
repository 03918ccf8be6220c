"""Run a list of :class:`ExpectationSpec` on a pandas frame with an ephemeral great-expectations context.

GX is imported here, lazily, on first use: importing it costs seconds and most commands never validate.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass

from checks.expectations import ExpectationSpec, NotEqual

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
    with _GX_LOCK:
        return _run_suite(frame, specs, name)


def _run_suite(frame, specs: list[ExpectationSpec], name: str) -> list[Outcome]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suffix = uuid.uuid4().hex[:8]
    batch = (
        context.data_sources.add_pandas(f"staging_{suffix}")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
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
