"""Blocking check of each staging table: for every loaded file, rows read = rows loaded + rows quarantined.

The three counts are measured independently when a file is loaded (rows in the read file, rows inserted into
staging, rows inserted into the quarantine); this check also recounts the quarantine table itself, so a row
that went missing anywhere between landing and staging fails the run before any mart is built from it.

The staging asset declares the spec and runs the check right after loading (no extra step per table).
"""

import dagster as dg

from checks.ingest_tables import ensure_ingest_tables
from domain.contracts import Source
from domain.sql_files import load

RECONCILIATION = "reconciliation"


def reconciliation_spec(source: Source) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        RECONCILIATION,
        asset=dg.AssetKey(["staging", source.name]),
        blocking=True,
        description="Every loaded file: rows read = rows loaded + rows quarantined (and the quarantine holds "
        "them).",
    )


def reconcile(conn, source: Source) -> dg.AssetCheckResult:
    ensure_ingest_tables(conn)
    which = {"source": source.name}
    bad = conn.execute(load(__package__, "reconciliation_mismatches"), which).fetchall()
    ((files,),) = conn.execute(load(__package__, "reconciliation_loaded_files"), which).fetchall()
    lines = [f"{f}: read {r}, loaded {lo}, quarantined {q} (quarantine holds {n})" for f, r, lo, q, n in bad]
    return dg.AssetCheckResult(
        check_name=RECONCILIATION,
        asset_key=dg.AssetKey(["staging", source.name]),
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"staging.{source.name} not reconciled: " + "; ".join(lines[:20]) if bad else None,
        metadata={"files_checked": files, "files_not_reconciled": len(bad)},
    )
