-- Accounts whose first or last name is LIKE every one of $patterns ('%word%', accents ignored); at most
-- $limit, by name.
SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id
FROM marts.ce_accounts a
WHERE len(list_filter($patterns, lambda w: strip_accents(lower(a.first_name)) LIKE strip_accents(w)
                                        OR strip_accents(lower(a.last_name)) LIKE strip_accents(w)))
      = len($patterns)
ORDER BY a.last_name, a.first_name, a.account_id
LIMIT $limit
