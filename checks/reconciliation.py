"""Blocking check of each staging table: for every loaded file, rows read = rows loaded + rows quarantined.

The three counts are measured independently when a file is loaded (rows in the read file, rows inserted into
staging, rows inserted into the quarantine); this check also recounts the quarantine table itself, so a row
that went missing anywhere between landing and staging fails the run before any mart is built from it.

The staging asset declares the spec and runs the check right after loading (no extra step per table).
"""

import dagster as dg

from checks.ingest_tables import LEDGER, QUARANTINE, ensure_ingest_tables
from domain.contracts import Source

RECONCILIATION = "reconciliation"

MISMATCHES_SQL = f"""
SELECT l.file_name, l.rows_read, l.rows_loaded, l.rows_quarantined, coalesce(q.n, 0) AS in_quarantine
FROM {LEDGER} l
LEFT JOIN (SELECT sha256, file_name, count(*) AS n FROM {QUARANTINE} WHERE source = ? GROUP BY ALL) q
    USING (sha256, file_name)
WHERE l.source = ? AND l.status = 'loaded'
  AND (l.rows_read <> l.rows_loaded + l.rows_quarantined OR l.rows_quarantined <> coalesce(q.n, 0))
ORDER BY l.file_name
"""


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
    bad = conn.execute(MISMATCHES_SQL, [source.name, source.name]).fetchall()
    files = conn.execute(
        f"SELECT count(*) FROM {LEDGER} WHERE source = ? AND status = 'loaded'", [source.name]
    ).fetchone()[0]
    lines = [f"{f}: read {r}, loaded {lo}, quarantined {q} (quarantine holds {n})" for f, r, lo, q, n in bad]
    return dg.AssetCheckResult(
        check_name=RECONCILIATION,
        asset_key=dg.AssetKey(["staging", source.name]),
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"staging.{source.name} not reconciled: " + "; ".join(lines[:20]) if bad else None,
        metadata={"files_checked": files, "files_not_reconciled": len(bad)},
    )
