-- Leaving employees who reach CE by SSO only (domain/person_links/findings.py).
WITH ce AS (
    SELECT l.person_key, a.account_id, a.email, a.login_method, a.email_domain_kind
    FROM marts.person_links l JOIN marts.ce_accounts a ON l.source = 'ce_account' AND a.account_id = l.source_id
),
per_person AS (
    SELECT person_key,
           bool_and(login_method = 'sso') AS sso_only,
           bool_or(coalesce(email_domain_kind = 'personal', FALSE)) AS has_personal,
           string_agg(account_id, ', ' ORDER BY account_id) AS account_ids,
           string_agg(email, ', ' ORDER BY account_id) AS emails
    FROM ce GROUP BY person_key
)
SELECT p.person_id AS person_key, p.first_name, p.last_name, p.department, p.termination_date,
       c.account_ids, c.emails
FROM staging.lc_people p JOIN per_person c ON c.person_key = p.person_id
WHERE p.termination_date IS NOT NULL AND c.sso_only AND NOT c.has_personal
ORDER BY p.termination_date, p.person_id
