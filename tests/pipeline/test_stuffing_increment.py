"""A materialize run that brings a new file of login events recomputes marts.credential_stuffing only for the
sources (ip, portal) the file has a failure from; a run not tagged incremental rebuilds."""

from __future__ import annotations

import json

import dagster as dg

from assets.increments import INCREMENTAL, PLAN_TAG
from assets.ingestion.staging_assets import staging_assets
from assets.login_security.marts import credential_stuffing_mart
from assets.warehouse import open_warehouse
from pipelines.resources import build_resources
from tests.pipeline.harness import auth_event_line, land

STAGING = [a for a in staging_assets if a.key == dg.AssetKey(["staging", "auth_events"])]


def _failures(prefix: str, users: range, ip: str) -> str:
    """User ``i`` fails at 03:00 UTC + 30 s x ``i`` on the CE portal, from ``ip``."""
    lines = []
    for i in users:
        event = json.loads(auth_event_line(f"{prefix}{i}", "03:00", "login_failure", f"user{i}"))
        at = f"2026-03-04T03:{i // 2:02d}:{30 * (i % 2):02d}+00:00"
        lines.append(json.dumps({**event, "ip": ip, "occurred_at": at}))
    return "\n".join(lines) + "\n"


def _run(settings, instance, plan: str = INCREMENTAL) -> int:
    result = dg.materialize(
        [*STAGING, credential_stuffing_mart],
        instance=instance,
        resources=build_resources(settings),
        tags={PLAN_TAG: plan},
    )
    assert result.success
    [mart] = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "credential_stuffing"
    ]
    return mart.metadata["applied_files"].value


def _bursts(settings) -> list[tuple]:
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        return conn.execute(
            "SELECT ip, strftime(window_start, '%H:%M:%S'), strftime(window_end, '%H:%M:%S'), "
            "distinct_usernames FROM marts.credential_stuffing ORDER BY ALL"
        ).fetchall()


def test_a_new_file_is_applied_to_its_sources_and_a_full_run_rebuilds(settings):
    instance = dg.DagsterInstance.ephemeral()
    # 20 user names within 10 minutes (the policy's threshold) from one IP; 5 from another
    land(
        settings,
        "auth_events",
        "d1.jsonl",
        _failures("a", range(20), "10.9.9.9") + _failures("b", range(5), "10.8.8.8"),
    )
    assert _run(settings, instance) == 0  # nothing to apply to yet
    assert _bursts(settings) == [("10.9.9.9", "03:00:00", "03:09:30", 20)]

    # five more user names from the same IP at 03:10:00-03:12:00: the windows starting at 03:00:00-03:02:30
    # still hold 20 of them, so the burst reaches 03:12:00 with 25; the other IP is untouched
    land(settings, "auth_events", "d2.jsonl", _failures("c", range(20, 25), "10.9.9.9"))
    assert _run(settings, instance) == 1
    assert _bursts(settings) == [("10.9.9.9", "03:00:00", "03:12:00", 25)]

    # the other IP's 15 more user names in a new file: it now bursts too; a full run rebuilds the same
    land(settings, "auth_events", "d3.jsonl", _failures("d", range(5, 20), "10.8.8.8"))
    assert _run(settings, instance) == 1
    applied = _bursts(settings)
    assert applied == [("10.8.8.8", "03:00:00", "03:09:30", 20), ("10.9.9.9", "03:00:00", "03:12:00", 25)]
    land(settings, "auth_events", "d4.jsonl", _failures("e", range(40, 41), "10.7.7.7"))
    assert _run(settings, instance, plan="full") == 0
    assert _bursts(settings) == applied
