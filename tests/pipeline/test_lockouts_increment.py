"""A materialize run that brings a new file of login events recomputes only the accounts the file touches in
marts.login_lockouts; a run that cannot be sure (a file replacing earlier events, a full run) rebuilds."""

from __future__ import annotations

import dagster as dg

from assets.increments import INCREMENTAL, PLAN_TAG
from assets.ingestion.staging_assets import staging_assets
from assets.login_security.marts import login_lockouts_mart
from assets.warehouse import open_warehouse
from pipelines.resources import build_resources
from tests.pipeline.harness import auth_event_line, land

STAGING = [a for a in staging_assets if a.key == dg.AssetKey(["staging", "auth_events"])]


def _failures(prefix: str, user: str, hour: str) -> list[str]:
    return [auth_event_line(f"{prefix}{i}", f"{hour}:0{i}", "login_failure", user) for i in range(5)]


def _run(settings, instance, plan: str = INCREMENTAL) -> int:
    """Materialize staging/auth_events and the lockouts; returns how many files the lockouts applied."""
    result = dg.materialize(
        [*STAGING, login_lockouts_mart],
        instance=instance,
        resources=build_resources(settings),
        tags={PLAN_TAG: plan},
    )
    assert result.success
    [lockouts] = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "login_lockouts"
    ]
    return lockouts.metadata["applied_files"].value


def _locks(settings) -> list[tuple[str, str]]:
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT username, strftime(locked_at, '%H:%M') FROM marts.login_lockouts ORDER BY 1, 2"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_a_new_file_is_applied_to_its_accounts_and_anything_uncertain_rebuilds(settings):
    instance = dg.DagsterInstance.ephemeral()
    land(
        settings,
        "auth_events",
        "d1.jsonl",
        "\n".join([*_failures("a", "alice", "09"), *_failures("b", "bob", "10")]),
    )
    assert _run(settings, instance) == 0  # nothing to apply to yet: built over every event
    assert _locks(settings) == [("alice", "09:04"), ("bob", "10:04")]

    # A late file: alice logged in at 09:02:30, so 09:04 is only her 2nd failure since; bob is untouched.
    late = auth_event_line("late1", "09:02", "login_success", "alice")
    land(settings, "auth_events", "d2.jsonl", late + "\n")
    assert _run(settings, instance) == 1
    assert _locks(settings) == [("bob", "10:04")]

    # A file re-sending bob's first failure as dave's replaces that row: bob, whom the file does not name, is
    # down to four failures. Applying the file to dave alone would keep bob's lock; the mart is rebuilt.
    land(settings, "auth_events", "d3.jsonl", auth_event_line("b0", "10:00", "login_failure", "dave") + "\n")
    assert _run(settings, instance) == 0
    assert _locks(settings) == []

    # A run not tagged incremental (--full, dagster dev, the schedule) rebuilds even with a new file.
    land(settings, "auth_events", "d4.jsonl", "\n".join(_failures("c", "carol", "11")))
    assert _run(settings, instance, plan="full") == 0
    assert _locks(settings) == [("carol", "11:04")]
