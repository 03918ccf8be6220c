-- CE credits of the accounts $ids, newest first.
SELECT completed_on, title, source, credit_type, credits, account_id
FROM marts.ce_credit_items
WHERE list_contains($ids, account_id)
ORDER BY completed_on DESC, title, credit_type
