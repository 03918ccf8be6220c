-- The person's links waiting for review ($person).
SELECT source, source_id, method, probability, evidence, reason FROM person_link_review
WHERE person_key = $person ORDER BY source, source_id
