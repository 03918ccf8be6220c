-- Account locks, newest first. Filters, NULL for any: $portal, $since/$until (locked_at in
-- [since, until): the org days asked, as UTC instants), $username; $limit rows at most (NULL: all).
SELECT *
FROM login_lockouts
WHERE ($portal IS NULL OR portal = $portal)
  AND ($since IS NULL OR locked_at >= $since)
  AND ($until IS NULL OR locked_at < $until)
  AND ($username IS NULL OR username = $username)
ORDER BY locked_at DESC NULLS LAST, portal, username
LIMIT $limit
