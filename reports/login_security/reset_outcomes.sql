-- Reset tokens with their outcome, newest request first (tokens never requested last). Filters, NULL for any:
-- $portal, $since/$until (requested_at in [since, until): the org days asked, as UTC instants), $outcomes (a
-- list); $limit rows at most (NULL: all).
SELECT *
FROM reset_outcomes
WHERE ($portal IS NULL OR portal = $portal)
  AND ($since IS NULL OR requested_at >= $since)
  AND ($until IS NULL OR requested_at < $until)
  AND ($outcomes IS NULL OR list_contains($outcomes, outcome))
ORDER BY requested_at DESC NULLS LAST, portal, reset_token
LIMIT $limit
