-- dup_std: the registered frame dup_raw_accounts (rows of staging.ce_accounts) standardised. Needs the
-- ce_email_domain macro (classification.define_email_domain).
--   names: lower-cased letters without accents, spaces or punctuation; a middle initial typed into the first
--     name ("Mary J.") dropped; a generation suffix (jr, sr, ii, iii, iv: "John Smith Jr" and "John Smith Sr"
--     at one address are two people) moved from the surname to `generation`;
--   streets: words abbreviated the USPS way (street = st, ...), so "12 Oak Street" = "12 oak st".
CREATE OR REPLACE TEMP TABLE dup_std AS
WITH cleaned AS (
    SELECT
        *,
        regexp_replace(trim(first_name), '\s+[[:alpha:]]\.?$', '') AS first_name_without_initial,
        regexp_replace(lower(strip_accents(trim(last_name))), '[\s,]+(jr|sr|ii|iii|iv)\.?$', '')
            AS surname_without_suffix,
        regexp_replace(lower(strip_accents(trim(street))), '[^a-z0-9 ]', ' ', 'g') AS street_words
    FROM dup_raw_accounts
)
SELECT
    CAST(account_id AS VARCHAR) AS account_id,
    first_name, last_name, email, login_method, person_id, created_at,
    nullif(regexp_replace(lower(strip_accents(trim(first_name_without_initial))), '[^a-z]', '', 'g'), '')
        AS first_name_std,
    nullif(regexp_replace(lower(strip_accents(trim(surname_without_suffix))), '[^a-z]', '', 'g'), '')
        AS last_name_std,
    list_filter(
        list_transform(
            string_split_regex(surname_without_suffix, '[\s-]+'),
            lambda p: regexp_replace(p, '[^a-z]', '', 'g')
        ),
        lambda p: length(p) > 1
    ) AS last_name_parts,
    nullif(regexp_extract(lower(trim(last_name)), '[\s,]+(jr|sr|ii|iii|iv)\.?$', 1), '') AS generation,
    CAST(birth_date AS DATE) AS birth_date,
    year(CAST(birth_date AS DATE)) AS birth_year,
    nullif(right(regexp_replace(mobile_phone, '[^0-9]', '', 'g'), 10), '') AS mobile_phone,
    nullif(regexp_replace(
        split_part(split_part(lower(trim(email)), '@', 1), '+', 1), '[^a-z0-9]', '', 'g'
    ), '') AS email_local,
    ce_email_domain(email) AS email_domain,
    nullif(upper(trim(license_state)), '') AS license_state,
    nullif(regexp_replace(upper(license_number), '[^A-Z0-9]', '', 'g'), '') AS license_number_std,
    nullif(trim(npi), '') AS npi,
    nullif(trim(regexp_replace(
        array_to_string(
            list_transform(
                string_split(street_words, ' '),
                lambda w: coalesce(
                    MAP {
                        'street': 'st', 'avenue': 'ave', 'road': 'rd', 'drive': 'dr', 'lane': 'ln',
                        'boulevard': 'blvd', 'court': 'ct', 'place': 'pl', 'terrace': 'ter',
                        'parkway': 'pkwy', 'highway': 'hwy', 'circle': 'cir', 'apartment': 'apt',
                        'suite': 'ste', 'north': 'n', 'south': 's', 'east': 'e', 'west': 'w'
                    }[w],
                    w
                )
            ),
            ' '
        ),
        '\s+', ' ', 'g'
    )), '') AS street_std,
    nullif(left(regexp_replace(postal_code, '[^0-9]', '', 'g'), 5), '') AS postal5
FROM cleaned
