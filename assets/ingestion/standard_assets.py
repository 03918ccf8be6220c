"""Ingest assets of the standard-format folders: ``staging/x12_834``, ``staging/fhir_eob``, ``staging/xapi``.

Each loads its folder's new files into the EXISTING staging tables it feeds (``assets.ingestion.standard``),
so the marts read one table whatever format a row arrived in. The staging asset of each fed table depends on
these, so its own checks and every mart downstream run after them. Checks here: the blocking reconciliation in
units (read = loaded + quarantined per file) and the fed tables' great-expectations suites over the rows that
came from this folder.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import RunSettings, staging_key
from assets.ingestion.load import staging_table
from assets.ingestion.standard.load import StandardSource, ingest_standard
from assets.ingestion.standard.sources import STANDARD_SOURCES
from checks.expectations import frame_columns, suite_for
from checks.gx_runner import SUITE_WORKER_TAG
from checks.reconciliation import reconcile, reconciliation_spec
from domain.contracts import Kind, Source
from domain.settings import Settings
from domain.sql_text import quote_ident

EXPECTATIONS = "expectations"


def _produced_frame(conn, target: Source, specs, folder: str):
    """The rows of ``staging.<target>`` this folder loaded (lineage ``<folder>/<file>``), decimals as
    DOUBLE."""
    exprs = []
    for name in frame_columns(target, specs):
        q = quote_ident(name)
        exprs.append(f"CAST({q} AS DOUBLE) AS {q}" if target.column(name).kind is Kind.DECIMAL else q)
    # the column list is generated from the landing contract (quoted names); the folder is a bound value
    return conn.execute(
        f"SELECT {', '.join(exprs)} FROM {staging_table(target)} WHERE starts_with(_file_name, ?)",
        [folder + "/"],
    ).df()


def build_standard_asset(std: StandardSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(std.name),
        group_name=std.family,
        kinds={"duckdb"},
        description=f"{std.description}. Loads landing/{std.name}/ into "
        + ", ".join(f"staging.{t}" for t in std.targets)
        + "; bad units go to the quarantine.",
        metadata={"feeds": ", ".join(std.targets), "formats": ", ".join(std.extensions)},
        check_specs=[reconciliation_spec(std)],
    )
    def _standard(context: dg.AssetExecutionContext, duckdb: DuckDBResource, run_settings: RunSettings):
        folder = Settings(data_dir=run_settings.data_dir).landing_dir / std.name
        with duckdb.get_connection() as conn:
            summary = ingest_standard(conn, std, folder)
            reconciled = reconcile(conn, std)
        for entry in summary.entries:
            if entry.status == "rejected":  # the file and the reason, never contents
                context.log.warning(f"{std.name}: rejected {entry.detail}")
        return dg.MaterializeResult(
            metadata={
                "files_loaded": summary.count("loaded"),
                "files_rejected": summary.count("rejected"),
                "files_duplicate": summary.count("duplicate"),
                "files_unchanged": summary.files_unchanged,
                "units_loaded": summary.rows_loaded,
                "units_quarantined": summary.rows_quarantined,
            },
            check_results=[reconciled],
        )

    return _standard


def build_expectations_check(std: StandardSource) -> dg.AssetChecksDefinition:
    suites = {t.name: suite_for(t) for t in std.target_sources}

    @dg.asset_check(
        asset=staging_key(std.name),
        name=EXPECTATIONS,
        op_tags={SUITE_WORKER_TAG: "true"},
        # it reads the target tables, which their own sources' steps also write: after those, not beside them
        additional_deps=[staging_key(t) for t in std.targets],
        description=f"great-expectations suites of {', '.join(std.targets)} over the rows "
        f"landing/{std.name}/ "
        "produced",
    )
    def _expectations(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        from checks.gx_runner import validate_frame

        outcomes, rows = [], 0
        with duckdb.get_connection() as conn:
            frames = {t.name: _produced_frame(conn, t, suites[t.name], std.name) for t in std.target_sources}
        for name, frame in frames.items():
            rows += len(frame)
            if len(frame):
                outcomes += validate_frame(frame, suites[name], f"{std.name}_{name}")
        failed = [o for o in outcomes if not o.success]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(f"{o.spec.label()}: {o.unexpected_count} unexpected" for o in failed)
            or None,
            metadata={"rows": rows, "expectations": len(outcomes), "failed": len(failed)},
        )

    return _expectations


standard_assets = [build_standard_asset(s) for s in STANDARD_SOURCES]
standard_checks = [build_expectations_check(s) for s in STANDARD_SOURCES]
