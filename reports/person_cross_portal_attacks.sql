-- Finding: an attack across portals involving the person ($person).
SELECT replace(kind, '_', ' ') AS finding, CAST(first_at AS DATE) AS at,
       'portals ' || portals || ', IP ' || ip AS detail
FROM cross_portal_attacks WHERE list_contains(person_keys, $person)
