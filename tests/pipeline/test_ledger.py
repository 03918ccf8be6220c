"""The file ledger: content identity, incremental loads, upserts by key, idempotence, blocking
reconciliation."""

import os
import shutil

from assets.ingestion.ledger import new_files
from assets.warehouse import open_warehouse
from tests.pipeline.harness import header, land, ledger, query, run_ingest

EMP = header("hp_employers")


def _marts(settings) -> dict[str, list]:
    tables = [
        r[0] for r in query(settings, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")
    ]
    return {t: query(settings, f"SELECT * FROM marts.{t} ORDER BY ALL") for t in sorted(tables)}


def test_same_content_under_another_name_loads_once(settings):
    first = land(settings, "hp_employers", "2026-01.csv", f"{EMP}\nE1,Acme,G-1\nE2,Zenith,G-2\n")
    run_ingest(settings)
    shutil.copy(first, settings.landing_dir / "hp_employers" / "2026-01 (copy).csv")
    run_ingest(settings)
    assert ledger(settings, "hp_employers") == [
        ("2026-01 (copy).csv", "duplicate", "same_content", 0, 0, 0),
        ("2026-01.csv", "loaded", None, 2, 2, 0),
    ]
    assert query(settings, "SELECT count(*) FROM staging.hp_employers") == [(2,)]


def test_a_second_run_reads_nothing_new_and_leaves_identical_marts(settings):
    land(settings, "hp_employers", "a.csv", f"{EMP}\nE1,Acme,G-1\nE1,Acme twice,G-1\n")
    run_ingest(settings)
    before = _marts(settings)
    os.utime(settings.landing_dir / "hp_employers" / "a.csv")  # touched, same bytes: still not new
    result = run_ingest(settings)
    rows_loaded = (
        result.asset_materializations_for_node("staging__hp_employers")[0].metadata["rows_loaded"].value
    )
    assert rows_loaded == 0
    assert _marts(settings) == before
    assert len(before["quarantine"]) == 1 and len(before["ingest_ledger"]) == 1
    # the new mtime is remembered: the next run does not even hash the file, and a planner sees nothing new
    with open_warehouse(str(settings.warehouse_path)) as conn:
        assert new_files(conn, "hp_employers", settings.landing_dir / "hp_employers") == []


def test_a_later_file_replaces_the_earlier_row_with_the_same_key(settings):
    land(settings, "hp_employers", "2026-01.csv", f"{EMP}\nE1,Acme,G-1\nE2,Zenith,G-2\n")
    run_ingest(settings)
    land(settings, "hp_employers", "2026-02.csv", f"{EMP}\nE2,Zenith Health,G-2\nE3,Nova,G-3\n")
    run_ingest(settings)
    rows = query(
        settings, "SELECT employer_id, name, _file_name, _row_number FROM staging.hp_employers ORDER BY 1"
    )
    assert rows == [
        ("E1", "Acme", "2026-01.csv", 1),
        ("E2", "Zenith Health", "2026-02.csv", 1),
        ("E3", "Nova", "2026-02.csv", 2),
    ]


def test_a_source_without_files_is_an_empty_typed_table(settings):
    run_ingest(settings)
    types = query(
        settings,
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'staging' AND table_name = "
        "'hp_claims' "
        "AND column_name IN ('line_number', 'billed_amount', 'processed_at', 'service_date', '_row_number')",
    )
    assert dict(types) == {
        "line_number": "INTEGER",
        "service_date": "DATE",
        "processed_at": "TIMESTAMP",
        "billed_amount": "DECIMAL(14,2)",
        "_row_number": "INTEGER",
    }
    assert query(settings, "SELECT count(*) FROM staging.hp_claims") == [(0,)]


def test_a_file_that_does_not_reconcile_fails_the_blocking_check_and_blocks_downstream(settings):

    land(settings, "hp_employers", "a.csv", f"{EMP}\nE1,Acme,G-1\n")
    run_ingest(settings)
    with open_warehouse(str(settings.warehouse_path)) as conn:  # a row goes missing between read and load
        conn.execute("UPDATE ingest.ledger SET rows_loaded = 0 WHERE file_name = 'a.csv'")
    result = run_ingest_no_raise(settings)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.path, e.check_name) for e in failed] == [
        (["staging", "hp_employers"], "reconciliation")
    ]
    assert "a.csv: read 1, loaded 0, quarantined 0" in failed[0].description
    assert not result.success
    built = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert (
        "ingest_ledger" not in built and "quarantine" not in built
    )  # downstream of the failed check: skipped


def run_ingest_no_raise(settings):
    import dagster as dg

    from pipelines.resources import build_resources
    from tests.pipeline.harness import INGEST_ASSETS

    return dg.materialize(
        INGEST_ASSETS,
        resources=build_resources(settings),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
