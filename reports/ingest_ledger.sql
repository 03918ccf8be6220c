-- Every landed file once, newest first; $source and $status narrow it (NULL for any).
SELECT source, file_name, status, reason, detail, rows_read, rows_loaded, rows_quarantined, loaded_at, sha256
FROM marts.ingest_ledger
WHERE ($source IS NULL OR source = $source) AND ($status IS NULL OR status = $status)
ORDER BY loaded_at DESC, source, file_name
