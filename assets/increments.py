"""When a mart may apply a run's new landing files to its previous rows instead of rebuilding (issue 22).

Only ``portalytics materialize`` runs incrementally: it tags its run :data:`INCREMENTAL` when the planner
found the same code and time zone, so a mart left as the last run wrote it is still right for every row it
already holds. Every other run (``--full``, ``dagster dev``, the schedule, new code) rebuilds. Even then a
mart applies new files only when it reflects exactly the staging table as it was before them (its
materialization names that staging materialization) and the new files replaced no earlier row (the staging
table grew by exactly the rows they loaded); anything else, a failed run in between included, rebuilds.
"""

from __future__ import annotations

import dagster as dg

from checks.staging_suites import LOADED_FILES

PLAN_TAG = "portalytics/plan"
INCREMENTAL = "incremental"
#: Metadata of a mart that can apply increments: the staging materialization (storage id) it reflects.
BUILT_FROM = "built_from_staging"
#: Metadata of a mart that reads other assets too: {asset key: storage id of the materialization it reflects}.
BUILT_FROM_INPUTS = "built_from_inputs"


def _value(record: dg.EventLogRecord, name: str):
    entry = record.asset_materialization.metadata.get(name) if record.asset_materialization else None
    return entry.value if entry is not None else None


def staging_now(context: dg.AssetExecutionContext, staging: dg.AssetKey) -> int | None:
    """The storage id of ``staging``'s latest materialization (what a mart built now reflects)."""
    records = context.instance.fetch_materializations(staging, limit=1).records
    return records[0].storage_id if records else None


def new_files(context: dg.AssetExecutionContext, staging: dg.AssetKey, mart: dg.AssetKey) -> list[str] | None:
    """The files ``mart`` may apply to its previous rows, or None: rebuild it."""
    if context.run.tags.get(PLAN_TAG) != INCREMENTAL:
        return None
    records = context.instance.fetch_materializations(staging, limit=2).records
    last_mart = context.instance.fetch_materializations(mart, limit=1).records
    if len(records) < 2 or not last_mart:
        return None
    now, before = records
    files = _value(now, LOADED_FILES)
    grew = (_value(now, "dagster/row_count") or 0) - (_value(before, "dagster/row_count") or 0)
    if (
        not files
        or grew != _value(now, "rows_loaded")
        or _value(last_mart[0], BUILT_FROM) != before.storage_id
    ):
        return None
    return list(files)


def inputs_now(context: dg.AssetExecutionContext, keys) -> dict[str, int | None]:
    """The storage id of each asset's latest materialization (None: never), by its key's user string."""
    return {key.to_user_string(): staging_now(context, key) for key in keys}


def same_inputs(context: dg.AssetExecutionContext, mart: dg.AssetKey, inputs: dict[str, int | None]) -> bool:
    """Whether ``mart``'s last materialization recorded exactly ``inputs`` (:data:`BUILT_FROM_INPUTS`): none
    of them was materialized again since (a run that rebuilt one of them, or failed half-way, shows)."""
    last = context.instance.fetch_materializations(mart, limit=1).records
    return bool(last) and _value(last[0], BUILT_FROM_INPUTS) == inputs
