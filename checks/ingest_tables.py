"""Names of the tables ingestion keeps between runs; the reconciliation check reads them, ingestion writes
them.

They live in schema ``ingest`` (not ``marts``) because they are the pipeline's own state: the incremental
ledger of every landed file and every quarantined row. ``marts.ingest_ledger`` and ``marts.quarantine``
publish copies.
"""

from __future__ import annotations

from domain.sql_files import load

#: The names ``ingest_ledger_table.sql``, ``ingest_quarantine_table.sql`` and ``reconciliation_*.sql`` use.
SCHEMA = "ingest"
LEDGER = f"{SCHEMA}.ledger"
QUARANTINE = f"{SCHEMA}.quarantine"


def ensure_ingest_tables(conn) -> None:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(load(__package__, "ingest_ledger_table"))
    conn.execute(load(__package__, "ingest_quarantine_table"))
