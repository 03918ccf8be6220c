"""A sensor that starts a run when files land: it fingerprints landing/ (names, sizes, mtimes), never the
warehouse.

The sensor does not open DuckDB (a run may be writing it); the staging assets decide which files are new.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from domain.settings import Settings

LANDING_SENSOR = "landing_sensor"


def landing_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    landing = settings.landing_dir
    if landing.is_dir():
        for path in sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(landing).as_posix()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def build_landing_sensor(settings: Settings, job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name=LANDING_SENSOR,
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def _landing_sensor(context: dg.SensorEvaluationContext):
        fingerprint = landing_fingerprint(settings)
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed files in landing/")
        context.update_cursor(fingerprint)
        if not settings.landing_dir.is_dir():
            return dg.SkipReason(f"{settings.landing_dir} does not exist yet")
        return dg.RunRequest(run_key=fingerprint)

    return _landing_sensor
