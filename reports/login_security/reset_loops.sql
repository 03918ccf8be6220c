-- Reset loops, newest first. Filters, NULL for any: $portal, $since/$until (first_request_at in
-- [since, until): the org days asked, as UTC instants); $limit rows at most (NULL: all).
SELECT *
FROM reset_loops
WHERE ($portal IS NULL OR portal = $portal)
  AND ($since IS NULL OR first_request_at >= $since)
  AND ($until IS NULL OR first_request_at < $until)
ORDER BY first_request_at DESC NULLS LAST, portal, username
LIMIT $limit
