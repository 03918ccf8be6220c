-- Account locks, newest first. Filters, NULL for any: $portal, $start/$end (UTC days of locked_at, inclusive),
-- $username; $limit rows at most (NULL: all).
SELECT *
FROM login_lockouts
WHERE ($portal IS NULL OR portal = $portal)
  AND ($start IS NULL OR CAST(locked_at AS DATE) >= $start)
  AND ($end IS NULL OR CAST(locked_at AS DATE) <= $end)
  AND ($username IS NULL OR username = $username)
ORDER BY locked_at DESC NULLS LAST, portal, username
LIMIT $limit
