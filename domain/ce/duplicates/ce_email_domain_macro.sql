-- ce_email_domain(email): the e-mail's domain, lower-cased and trimmed, the part after the first '@'; NULL
-- when there is none. Duplicate detection and the accounts mart both mark organisation domains by it.
CREATE OR REPLACE TEMP MACRO ce_email_domain(email) AS nullif(split_part(lower(trim(email)), '@', 2), '')
