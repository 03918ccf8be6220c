-- Reset loops, newest first. Filters, NULL for any: $portal, $start/$end (UTC days of first_request_at,
-- inclusive); $limit rows at most (NULL: all).
SELECT *
FROM reset_loops
WHERE ($portal IS NULL OR portal = $portal)
  AND ($start IS NULL OR CAST(first_request_at AS DATE) >= $start)
  AND ($end IS NULL OR CAST(first_request_at AS DATE) <= $end)
ORDER BY first_request_at DESC NULLS LAST, portal, username
LIMIT $limit
