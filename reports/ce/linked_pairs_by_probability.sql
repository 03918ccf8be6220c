-- linked_pairs.sql for a snapshot whose pairs mart has no is_match yet: at or above $match_threshold.
SELECT account_id_l, account_id_r
FROM marts.duplicate_account_pairs
WHERE match_probability >= $match_threshold
