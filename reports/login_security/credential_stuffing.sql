-- Credential-stuffing bursts, newest first. Filters, NULL for any: $portal, $start/$end (UTC days of
-- window_start, inclusive); $limit rows at most (NULL: all).
SELECT *
FROM credential_stuffing
WHERE ($portal IS NULL OR portal = $portal)
  AND ($start IS NULL OR CAST(window_start AS DATE) >= $start)
  AND ($end IS NULL OR CAST(window_start AS DATE) <= $end)
ORDER BY window_start DESC NULLS LAST, ip, portal
LIMIT $limit
