"""Helpers for pipeline tests: land hand-written files in a tmp data dir and run the ingest assets
in-process."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.ingestion.staging_assets import ingest_ledger, quarantine, staging_assets
from assets.publish import build_publish_asset
from assets.warehouse import open_warehouse
from checks.staging_suites import expectation_checks, reference_checks
from domain.contracts import source
from domain.settings import Settings
from pipelines.resources import build_resources

INGEST_ASSETS = [*staging_assets, ingest_ledger, quarantine]


def header(source_name: str) -> str:
    return ",".join(source(source_name).column_names)


def land(
    settings: Settings, source_name: str, file_name: str, content: str | bytes, encoding: str = "utf-8"
) -> Path:
    folder = settings.landing_dir / source_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def run_ingest(
    settings: Settings, with_suites: bool = False, publish: bool = False
) -> dg.ExecuteInProcessResult:
    """Materialize every staging asset (+ its blocking reconciliation) and the ledger/quarantine marts."""
    assets: list = list(INGEST_ASSETS)
    if with_suites:
        assets += [*expectation_checks, *reference_checks]
    if publish:
        assets.append(build_publish_asset([ingest_ledger.key, quarantine.key]))
    return dg.materialize(
        assets, resources=build_resources(settings), instance=dg.DagsterInstance.ephemeral()
    )


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with open_warehouse(settings.warehouse_path, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def quarantined(settings: Settings, source_name: str) -> list[tuple]:
    """(file_name, row_number, column, reason) of a source's quarantined rows, in file and row order."""
    return query(
        settings,
        'SELECT file_name, row_number, "column", reason FROM marts.quarantine WHERE source = ? '
        "ORDER BY file_name, row_number",
        [source_name],
    )


def ledger(settings: Settings, source_name: str) -> list[tuple]:
    """(file_name, status, reason, rows_read, rows_loaded, rows_quarantined) in file order."""
    return query(
        settings,
        "SELECT file_name, status, reason, rows_read, rows_loaded, rows_quarantined FROM marts.ingest_ledger "
        "WHERE source = ? ORDER BY file_name",
        [source_name],
    )


def auth_event_line(event_id: str, hhmm: str, event_type: str, user: str) -> str:
    """One auth_events JSON line at ``hhmm`` UTC on 2026-03-04 on the CE portal (a login failure is a bad
    password)."""
    return json.dumps(
        {
            "event_id": event_id,
            "portal": "ce_portal",
            "occurred_at": f"2026-03-04T{hhmm}:00+00:00",
            "event_type": event_type,
            "username": user,
            "ip": "10.0.0.1",
            "user_agent": "test",
            "method": "password",
            "reset_token": None,
            "failure_reason": "bad_password" if event_type == "login_failure" else None,
        }
    )
