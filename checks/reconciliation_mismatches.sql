-- Files of $source loaded into staging whose rows read <> rows loaded + rows quarantined, or whose
-- quarantined count differs from what ingest.quarantine holds.
SELECT l.file_name, l.rows_read, l.rows_loaded, l.rows_quarantined, coalesce(q.n, 0) AS in_quarantine
FROM ingest.ledger l
LEFT JOIN (
    SELECT sha256, file_name, count(*) AS n FROM ingest.quarantine WHERE source = $source GROUP BY ALL
) q USING (sha256, file_name)
WHERE l.source = $source AND l.status = 'loaded'
  AND (l.rows_read <> l.rows_loaded + l.rows_quarantined OR l.rows_quarantined <> coalesce(q.n, 0))
ORDER BY l.file_name
