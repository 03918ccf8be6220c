-- Reset tokens with their outcome, newest request first (tokens never requested last). Filters, NULL for any:
-- $portal, $start/$end (UTC days of requested_at, inclusive), $outcomes (a list); $limit rows at most (NULL: all).
SELECT *
FROM reset_outcomes
WHERE ($portal IS NULL OR portal = $portal)
  AND ($start IS NULL OR CAST(requested_at AS DATE) >= $start)
  AND ($end IS NULL OR CAST(requested_at AS DATE) <= $end)
  AND ($outcomes IS NULL OR list_contains($outcomes, outcome))
ORDER BY requested_at DESC NULLS LAST, portal, reset_token
LIMIT $limit
