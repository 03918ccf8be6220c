-- Accounts whose phone's SHA-256 (of its E.164 form) is $digest; at most $limit, by name.
SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id
FROM marts.ce_accounts a JOIN marts.ce_account_phones p USING (account_id)
WHERE p.phone_sha256 = $digest
ORDER BY a.last_name, a.first_name, a.account_id
LIMIT $limit
