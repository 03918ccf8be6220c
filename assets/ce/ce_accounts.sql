-- marts.ce_accounts from staging.ce_accounts: the e-mail's domain (the ce_email_domain macro, defined by
-- domain.ce.duplicates.classification.define_email_domain) marked $organisation when it is in the temporary
-- table ce_org_domains, else $personal; the mobile phone masked to its last four digits.
SELECT
    a.account_id, a.first_name, a.last_name, a.email,
    ce_email_domain(a.email) AS email_domain,
    CASE WHEN ce_email_domain(a.email) IS NULL THEN NULL
         WHEN ce_email_domain(a.email) IN (SELECT email_domain FROM ce_org_domains) THEN $organisation
         ELSE $personal END AS email_domain_kind,
    a.degree,
    CASE WHEN length(regexp_replace(a.mobile_phone, '[^0-9]', '', 'g')) >= 4
         THEN '***-***-' || right(regexp_replace(a.mobile_phone, '[^0-9]', '', 'g'), 4) END AS mobile_phone,
    a.birth_date, a.license_state, a.license_number, a.npi, a.city, a.state, a.postal_code,
    a.login_method, a.person_id, a.created_at
FROM staging.ce_accounts a
ORDER BY a.account_id
