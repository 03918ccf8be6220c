-- learner_accounts.sql for a snapshot without marts.ce_account_survivors: nothing merged.
SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id,
       NULL AS merged_into
FROM marts.ce_accounts a
WHERE list_contains($ids, a.account_id)
ORDER BY a.account_id
