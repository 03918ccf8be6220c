-- dup_accounts: dup_std with the columns derived from the standardised ones: the house number, the first
-- name's nickname forms (from dup_nicknames), the names' phonetic codes (from dup_phonetic), the initials,
-- and the guard columns (profile_macros.sql; comparisons.py): letters and length of each name, the license
-- number and the phone, the hashes of the nickname forms and of the surname's parts.
CREATE OR REPLACE TABLE dup_accounts AS
WITH forms AS (
    SELECT nickname, list(formal_name ORDER BY formal_name) AS formals
    FROM dup_nicknames GROUP BY nickname
)
SELECT
    std.*,
    nullif(regexp_extract(street_std, '^([0-9]+)', 1), '') AS street_number,
    CASE WHEN first_name_std IS NOT NULL THEN
        list_sort(list_distinct(list_prepend(first_name_std, coalesce(forms.formals, []))))
    END AS first_name_forms,
    fp.code AS first_name_phonetic,
    lp.code AS last_name_phonetic,
    left(first_name_std, 1) AS first_initial,
    left(last_name_std, 1) AS last_initial,
    dup_letters(first_name_std) AS first_name_std_letters,
    length(first_name_std) AS first_name_std_length,
    dup_letters(last_name_std) AS last_name_std_letters,
    length(last_name_std) AS last_name_std_length,
    dup_letters(license_number_std) AS license_number_std_letters,
    length(license_number_std) AS license_number_std_length,
    dup_letters(mobile_phone) AS mobile_phone_letters,
    length(mobile_phone) AS mobile_phone_length,
    dup_hashes(first_name_forms) AS first_name_forms_hashes,
    dup_hashes(last_name_parts) AS last_name_parts_hashes
FROM dup_std std
LEFT JOIN forms ON forms.nickname = std.first_name_std
LEFT JOIN dup_phonetic fp ON fp.name = std.first_name_std
LEFT JOIN dup_phonetic lp ON lp.name = std.last_name_std
ORDER BY account_id
