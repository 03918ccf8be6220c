-- Merges (account, survivor) that one of the accounts $ids is part of, either way.
SELECT account_id, survivor_account_id
FROM marts.ce_account_survivors
WHERE list_contains($ids, account_id) OR list_contains($ids, survivor_account_id)
