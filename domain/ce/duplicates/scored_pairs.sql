-- Splink's scored pairs (registered as dup_predictions) with the probability and weight rounded to $decimals
-- places, every comparison's gamma level and the names the evidence text quotes.
SELECT account_id_l, account_id_r,
       round(match_probability, $decimals) AS match_probability,
       round(match_weight, $decimals) AS match_weight,
       COLUMNS('^gamma_'),
       first_name_l, last_name_l, first_name_r, last_name_r
FROM dup_predictions
