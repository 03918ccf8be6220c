-- Credential-stuffing bursts, newest first. Filters, NULL for any: $portal, $since/$until (window_start in
-- [since, until): the org days asked, as UTC instants); $limit rows at most (NULL: all).
SELECT *
FROM credential_stuffing
WHERE ($portal IS NULL OR portal = $portal)
  AND ($since IS NULL OR window_start >= $since)
  AND ($until IS NULL OR window_start < $until)
ORDER BY window_start DESC NULLS LAST, ip, portal
LIMIT $limit
