-- Quarantined rows in file and row order, at most $limit; $source, $reason and $file_name narrow them (NULL
-- for any).
SELECT source, file_name, row_number, "column", reason, raw
FROM marts.quarantine
WHERE ($source IS NULL OR source = $source) AND ($reason IS NULL OR reason = $reason)
  AND ($file_name IS NULL OR file_name = $file_name)
ORDER BY source, file_name, row_number
LIMIT $limit
