-- E-mail domains of which at least $sso_share of the accounts sign in by SSO, from the temporary view
-- dup_domain_logins(email_domain, login_method).
SELECT email_domain
FROM dup_domain_logins
WHERE email_domain IS NOT NULL
GROUP BY email_domain
HAVING avg(CASE WHEN login_method = 'sso' THEN 1.0 ELSE 0.0 END) >= $sso_share
ORDER BY email_domain
