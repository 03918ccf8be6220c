-- Accounts whose e-mail is $query (any case); at most $limit, by name.
SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id
FROM marts.ce_accounts a
WHERE lower(a.email) = lower($query)
ORDER BY a.last_name, a.first_name, a.account_id
LIMIT $limit
