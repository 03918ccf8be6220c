-- Finding: an attack across portals involving the person ($person); its day in the org zone ($zone), as the
-- other findings' days and every day a page shows (first_at is a UTC instant).
SELECT replace(kind, '_', ' ') AS finding, CAST(timezone($zone, timezone('UTC', first_at)) AS DATE) AS at,
       'portals ' || portals || ', IP ' || ip AS detail
FROM cross_portal_attacks WHERE list_contains(person_keys, $person)
