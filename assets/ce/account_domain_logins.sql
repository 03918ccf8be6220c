-- Each CE account's e-mail domain (the ce_email_domain macro) and login method, to find organisation domains.
SELECT ce_email_domain(email) AS email_domain, login_method FROM staging.ce_accounts
