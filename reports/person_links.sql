-- The person's links ($person).
SELECT source, source_id, method, probability, evidence FROM person_links
WHERE person_key = $person ORDER BY source, source_id
