-- ingest.quarantine: every row ingestion refused (checks/ingest_tables.py names it QUARANTINE).
CREATE TABLE IF NOT EXISTS ingest.quarantine (
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,     -- 1-based data row (CSV/xlsx: header excluded; JSON lines: line number)
    "column" VARCHAR,                -- first failing contract column (key columns for duplicate_key)
    reason VARCHAR NOT NULL,         -- domain.contracts.Reason
    raw VARCHAR                      -- the original row as JSON text (JSON lines: the line as landed)
)
