-- The scored pairs (dup_predictions) clustering may link: all of them but those the CE team kept separate
-- (dup_kept_separate, each pair as (smaller, larger)), either way round.
SELECT p.*
FROM dup_predictions p
ANTI JOIN dup_kept_separate k
    ON k.account_id_l = least(p.account_id_l, p.account_id_r)
   AND k.account_id_r = greatest(p.account_id_l, p.account_id_r)
