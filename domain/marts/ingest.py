"""The ingest state, published: the ledger of landed files and the quarantined rows."""

from domain.marts.entry import BIGINT, INTEGER, TIMESTAMP, VARCHAR, mart

MARTS = (
    mart(
        "ingest_ledger",
        "ingest",
        "Every landed file once: loaded, rejected (with the reason) or duplicate content, with row counts.",
        ("source", VARCHAR),
        ("file_name", VARCHAR),
        ("sha256", VARCHAR),
        ("rows_read", BIGINT),
        ("rows_loaded", BIGINT),
        ("rows_quarantined", BIGINT),
        ("loaded_at", TIMESTAMP),
        ("status", VARCHAR),
        ("reason", VARCHAR),
        ("detail", VARCHAR),
        ("encoding", VARCHAR),
        ("size_bytes", BIGINT),
    ),
    mart(
        "quarantine",
        "ingest",
        "Every quarantined row with its reason, the first failing column and the original row as JSON.",
        ("source", VARCHAR),
        ("file_name", VARCHAR),
        ("row_number", INTEGER),
        ("column", VARCHAR),
        ("reason", VARCHAR),
        ("raw", VARCHAR),
        ("sha256", VARCHAR),
        ("message", VARCHAR),
    ),
)
