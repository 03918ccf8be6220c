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
        return _validate(frame, specs, name)


def _validate(frame, specs: list[ExpectationSpec], name: str) -> list[Outcome]:
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
    suite = gx.ExpectationSuite(name=f"{name}_{suffix}")
    for spec in specs:
        suite.add_expectation(getattr(gx.expectations, spec.expectation)(**_gx_kwargs(spec.kwargs)))
    result = batch.validate(suite)
    outcomes = []
    for spec, res in zip(specs, result.results, strict=True):
        # results come back in suite order; the type check guards that assumption
        assert res.expectation_config.type == _snake(spec.expectation), (res.expectation_config.type, spec)
        outcomes.append(
            Outcome(spec, bool(res.success), int((res.result or {}).get("unexpected_count") or 0))
        )
    return outcomes


def _gx_kwargs(kwargs: dict) -> dict:
    """The spec's keyword arguments with plain-data row conditions made GX condition objects."""
    from great_expectations.expectations.row_conditions import Column

    return {k: (Column(v.column) != v.value) if isinstance(v, NotEqual) else v for k, v in kwargs.items()}


def _snake(camel: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in camel).lstrip("_")
