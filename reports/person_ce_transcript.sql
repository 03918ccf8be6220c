-- The person's CE transcript ($person): CE and external credits, newest first.
SELECT * FROM transcript_items
WHERE person_id = $person AND source IN ('ce', 'external')
ORDER BY completed_on DESC, item_id
