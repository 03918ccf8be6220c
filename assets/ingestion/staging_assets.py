"""Ingest assets: one ``staging.<source>`` asset per landing contract, plus the published ledger and
quarantine.

Each staging asset loads only the new files of ``landing/<source>/`` (see ``assets.ingestion``); its blocking
reconciliation check and its great-expectations suite live in ``checks/``.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import HEAVY_TAG, RunSettings, mart_key, replace_table, staging_key
from assets.ingestion.load import ingest_source, staging_table
from assets.ingestion.standard.sources import FED_BY
from assets.warehouse import checkpoint_if_free
from checks.ingest_tables import LEDGER, QUARANTINE, ensure_ingest_tables
from checks.reconciliation import reconcile, reconciliation_spec
from checks.staging_suites import LOADED_FILES
from domain.contracts import SOURCES, Source
from domain.settings import Settings

INGEST_GROUP = "ingest"
#: Sources whose ingest holds the most memory outside DuckDB's pool (the read-ahead of the largest files: the
#: auth_events ingest beside duplicate detection was the large run's 7.8 GB peak).
HEAVY_SOURCES = frozenset({"auth_events"})


def landing_folder(run_settings: RunSettings, source: Source):
    return Settings(data_dir=run_settings.data_dir).landing_dir / source.name


def scratch_folder(run_settings: RunSettings):
    """Where a non-UTF-8 file's decoded copy briefly lives: inside the data directory, like DuckDB's spill
    files."""
    return Settings(data_dir=run_settings.data_dir).root / "duckdb_tmp"


def build_staging_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(source.name),
        group_name=source.family,
        kinds={"duckdb"},
        description=f"{source.description}. Typed rows of landing/{source.name}/, upserted by "
        f"({', '.join(source.key)}); bad rows go to the quarantine.",
        metadata={"key": ", ".join(source.key), "formats": ", ".join(source.formats)},
        check_specs=[reconciliation_spec(source)],
        deps=[staging_key(f) for f in FED_BY.get(source.name, ())],  # standard-format folders load first
        op_tags={HEAVY_TAG: "true"} if source.name in HEAVY_SOURCES else None,
    )
    def _staging(context: dg.AssetExecutionContext, duckdb: DuckDBResource, run_settings: RunSettings):
        with duckdb.get_connection() as conn:
            summary = ingest_source(
                conn, source, landing_folder(run_settings, source), scratch_folder(run_settings)
            )
            total = conn.execute(f"SELECT count(*) FROM {staging_table(source)}").fetchone()[0]
            reconciled = reconcile(conn, source)
            if summary.count("loaded"):
                checkpoint_if_free(conn)
        rejected = [e for e in summary.entries if e.status == "rejected"]
        for entry in rejected:  # names the file and the reason, never row contents
            context.log.warning(f"{source.name}: rejected ({entry.reason}) {entry.detail}")
        return dg.MaterializeResult(
            metadata={
                "files_loaded": summary.count("loaded"),
                # the expectations check validates these files' rows (names under landing/, no contents)
                LOADED_FILES: dg.MetadataValue.json(
                    [e.file_name for e in summary.entries if e.status == "loaded"]
                ),
                "files_rejected": summary.count("rejected"),
                "rejected_files": dg.MetadataValue.json(
                    [{"file": e.file_name, "reason": e.reason} for e in rejected]
                ),
                "files_duplicate": summary.count("duplicate"),
                "files_unchanged": summary.files_unchanged,
                "rows_loaded": summary.rows_loaded,
                "rows_quarantined": summary.rows_quarantined,
                "dagster/row_count": total,
            },
            check_results=[reconciled],
        )

    return _staging


staging_assets = [build_staging_asset(s) for s in SOURCES]
STAGING_KEYS = [staging_key(s.name) for s in SOURCES]


@dg.asset(
    key=mart_key("ingest_ledger"),
    deps=STAGING_KEYS,
    group_name=INGEST_GROUP,
    kinds={"duckdb"},
    description="Every landed file once: loaded, rejected (with the reason) or duplicate content, with row "
    "counts.",
)
def ingest_ledger(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        ensure_ingest_tables(conn)
        rows = replace_table(
            conn,
            "marts.ingest_ledger",
            f"""SELECT source, file_name, sha256, rows_read, rows_loaded, rows_quarantined, loaded_at,
                       status, reason, detail, encoding, size_bytes
                FROM {LEDGER} ORDER BY source, loaded_at, file_name""",
        )
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.asset(
    key=mart_key("quarantine"),
    deps=STAGING_KEYS,
    group_name=INGEST_GROUP,
    kinds={"duckdb"},
    description="Every quarantined row with its reason, the first failing column and the original row as "
    "JSON.",
)
def quarantine(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        ensure_ingest_tables(conn)
        rows = replace_table(
            conn,
            "marts.quarantine",
            f"""SELECT source, file_name, row_number, "column", reason, raw, sha256,
                       source || '/' || file_name || ' row ' || row_number
                           || coalesce(' column ' || "column", '') || ': ' || reason AS message
                FROM {QUARANTINE} ORDER BY source, file_name, sha256, row_number""",
        )
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})
