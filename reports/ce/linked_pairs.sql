-- The pairs the published model links (is_match).
SELECT account_id_l, account_id_r FROM marts.duplicate_account_pairs WHERE is_match
