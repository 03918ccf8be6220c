-- ingest.ledger: every landed file (checks/ingest_tables.py names it LEDGER).
CREATE TABLE IF NOT EXISTS ingest.ledger (
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
