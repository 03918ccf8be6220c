-- The accounts $ids, each with the account it was merged into.
SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id,
       (SELECT survivor_account_id FROM marts.ce_account_survivors s WHERE s.account_id = a.account_id)
           AS merged_into
FROM marts.ce_accounts a
WHERE list_contains($ids, a.account_id)
ORDER BY a.account_id
