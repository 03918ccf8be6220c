-- Accounts sharing a person_id with one of the accounts $ids.
SELECT b.account_id
FROM marts.ce_accounts a JOIN marts.ce_accounts b ON a.person_id = b.person_id
WHERE list_contains($ids, a.account_id)
