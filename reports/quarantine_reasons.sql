-- Quarantined rows counted per source and reason, most frequent first; $source narrows it (NULL for any).
SELECT source, reason, count(*) AS rows
FROM marts.quarantine
WHERE $source IS NULL OR source = $source
GROUP BY source, reason ORDER BY rows DESC, source, reason
