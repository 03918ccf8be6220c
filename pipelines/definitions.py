"""The Dagster code location (``[tool.dagster] module_name``): every asset and check of ``assets`` and
``checks``.

Mart modules are picked up automatically; the publish asset is built last from the loaded specs so it depends
on every asset whose key starts with ``marts``. The executor runs independent steps side by side in threads of
one process (``pipelines.side_by_side``): DuckDB has one writing process.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

import assets
import checks
from assets.common import MARTS, with_registry_entry
from assets.learning.reminders import REMINDERS_KEY
from assets.publish import build_publish_asset
from domain.settings import Settings, get_settings
from pipelines.resources import build_resources
from pipelines.schedules import REMINDERS_JOB, build_daily_schedule, build_reminders_schedule
from pipelines.sensors import build_landing_sensor
from pipelines.side_by_side import heavy_side_by_side_for, side_by_side_executor

MATERIALIZE_ALL = "materialize_all"


def load_assets() -> list[dg.AssetsDefinition]:
    """Every asset of the ``assets`` package (checks are loaded separately), plus the publish asset."""
    loaded = [
        a for a in dg.load_assets_from_package_module(assets) if not isinstance(a, dg.AssetChecksDefinition)
    ]
    loaded = dg.map_asset_specs(with_registry_entry, loaded)  # descriptions and column schemas of the marts
    mart_keys = {k for a in loaded for k in a.keys if k.path[0] == MARTS}
    return [*loaded, build_publish_asset(sorted(mart_keys, key=str))]


def load_checks() -> list[dg.AssetChecksDefinition]:
    found = [
        *dg.load_asset_checks_from_package_module(checks),
        *dg.load_asset_checks_from_package_module(assets),
    ]
    unique: dict[int, dg.AssetChecksDefinition] = {id(c): c for c in found}
    return list(unique.values())


def build_definitions(
    settings: Settings, as_of: str | None = None, loggers: Mapping[str, dg.LoggerDefinition] | None = None
) -> dg.Definitions:
    """``as_of`` fixes the date of the as-of marts; ``loggers`` replace Dagster's console logger (the CLI's
    progress)."""
    job = dg.define_asset_job(MATERIALIZE_ALL, selection=dg.AssetSelection.all())
    reminders_job = dg.define_asset_job(REMINDERS_JOB, selection=dg.AssetSelection.assets(REMINDERS_KEY))
    return dg.Definitions(
        assets=load_assets(),
        asset_checks=load_checks(),
        jobs=[job, reminders_job],
        sensors=[build_landing_sensor(settings, job)],
        schedules=[build_daily_schedule(settings, job), build_reminders_schedule(settings, reminders_job)],
        resources=build_resources(settings, as_of),
        executor=side_by_side_executor(
            settings.step_threads, heavy_side_by_side=heavy_side_by_side_for(settings)
        ),
        loggers=dict(loggers) if loggers else None,
    )


defs = build_definitions(get_settings())
