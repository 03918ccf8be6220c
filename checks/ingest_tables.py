"""Names of the tables ingestion keeps between runs; the reconciliation check reads them, ingestion writes
them.

They live in schema ``ingest`` (not ``marts``) because they are the pipeline's own state: the incremental
ledger of every landed file and every quarantined row. ``marts.ingest_ledger`` and ``marts.quarantine``
publish copies.
"""

from __future__ import annotations

SCHEMA = "ingest"
LEDGER = f"{SCHEMA}.ledger"
QUARANTINE = f"{SCHEMA}.quarantine"

LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER} (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,      -- path under landing/<source>/
    sha256 VARCHAR NOT NULL,         -- content hash: the identity of a file
    size_bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    status VARCHAR NOT NULL,         -- loaded | rejected | duplicate
    reason VARCHAR,                  -- FileReason for rejected; the earlier file's name for duplicate
    detail VARCHAR,                  -- a sentence naming the file and what is wrong
    encoding VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL     -- UTC
)
"""

QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {QUARANTINE} (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,     -- 1-based data row (CSV/xlsx: header excluded; JSON lines: line number)
    "column" VARCHAR,                -- first failing contract column (key columns for duplicate_key)
    reason VARCHAR NOT NULL,         -- domain.contracts.Reason
    raw VARCHAR                      -- the original row as JSON text (JSON lines: the line as landed)
)
"""


def ensure_ingest_tables(conn) -> None:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(LEDGER_DDL)
    conn.execute(QUARANTINE_DDL)
