-- Per source with files: when a file last loaded, files loaded / rejected / duplicate, rows loaded and
-- quarantined.
SELECT source,
       max(loaded_at) FILTER (WHERE status = 'loaded') AS last_loaded_at,
       count(*) FILTER (WHERE status = 'loaded') AS files_loaded,
       count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
       count(*) FILTER (WHERE status = 'duplicate') AS files_duplicate,
       coalesce(sum(rows_loaded), 0) AS rows_loaded,
       coalesce(sum(rows_quarantined), 0) AS rows_quarantined
FROM marts.ingest_ledger GROUP BY source
