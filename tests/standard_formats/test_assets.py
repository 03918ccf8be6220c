"""The standard folders as Dagster sources: ledger, reconciliation, great-expectations, incremental
planning."""

from __future__ import annotations

import dagster as dg

from assets.ingestion.staging_assets import ingest_ledger, quarantine, staging_assets
from assets.ingestion.standard_assets import standard_assets, standard_checks
from assets.warehouse import open_warehouse
from pipelines.incremental import changed_sources
from pipelines.resources import build_resources
from tests.standard_formats.support import eob, interchange, land, member, ndjson, rows, statement


def _materialize(settings) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*standard_assets, *staging_assets, ingest_ledger, quarantine, *standard_checks],
        resources=build_resources(settings),
        instance=dg.DagsterInstance.ephemeral(),
    )


def _land_all(settings) -> None:
    land(
        settings,
        "x12_834",
        "834.x12",
        interchange(
            member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
            member("M2", "021", "18", "HD*021**HLT*PPO500*XYZ", "DTP*348*D8*20240101"),
        ),
    )
    land(settings, "fhir_eob", "eob.ndjson", ndjson(eob("CLM1", "M1"), eob("CLM2", None)))
    land(settings, "xapi", "lrs.jsonl", ndjson(statement("C1", "04121980 1234"), statement("C2", None)))


def test_each_folder_reconciles_in_units_and_its_rows_pass_the_suites(settings):
    _land_all(settings)
    result = _materialize(settings)
    assert result.success
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    for folder in ("x12_834", "fhir_eob", "xapi"):
        assert checks[(folder, "reconciliation")] is True
        assert checks[(folder, "expectations")] is True
    ledger = rows(
        settings,
        "SELECT source, file_name, rows_read, rows_loaded, rows_quarantined FROM marts.ingest_ledger ORDER "
        "BY 1",
    )
    assert ledger == [
        ("fhir_eob", "eob.ndjson", 2, 1, 1),
        ("x12_834", "834.x12", 2, 1, 1),
        ("xapi", "lrs.jsonl", 2, 1, 1),
    ]
    assert rows(settings, "SELECT source, reason FROM marts.quarantine ORDER BY 1") == [
        ("fhir_eob", "missing_patient"),
        ("x12_834", "unknown_coverage_level"),
        ("xapi", "missing_actor"),
    ]
    # lineage: a staging row says which standard file it came from
    assert rows(settings, "SELECT _file_name FROM staging.hp_claims") == [("fhir_eob/eob.ndjson",)]


def test_a_resent_file_is_recorded_as_a_duplicate_and_not_read_again(settings):
    _land_all(settings)
    assert _materialize(settings).success
    land(
        settings,
        "fhir_eob",
        "eob_resent.ndjson",
        (settings.landing_dir / "fhir_eob" / "eob.ndjson").read_bytes(),
    )
    assert _materialize(settings).success
    assert rows(
        settings,
        "SELECT file_name, status, detail FROM marts.ingest_ledger WHERE source = 'fhir_eob' ORDER BY 1",
    ) == [
        ("eob.ndjson", "loaded", None),
        (
            "eob_resent.ndjson",
            "duplicate",
            "eob_resent.ndjson has the same content as eob.ndjson, which was taken; not read again",
        ),
    ]
    assert rows(settings, "SELECT count(*) FROM staging.hp_claims") == [(1,)]


def test_the_incremental_planner_sees_new_standard_files(settings):
    _land_all(settings)
    settings.root.mkdir(parents=True, exist_ok=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        changed = changed_sources(conn, settings)
    assert {k: changed[k] for k in ("x12_834", "fhir_eob", "xapi")} == {
        "x12_834": 1,
        "fhir_eob": 1,
        "xapi": 1,
    }
