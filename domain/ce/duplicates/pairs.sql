-- The pairs mart's rows from the scored pairs (dup_scored): a match at $match_threshold or above; the cluster
-- when both accounts are in the same one (dup_clusters); 'kept_separate' when the CE team decided so
-- (dup_kept_separate, either way round). The caller puts the columns in the registry's order.
SELECT s.*,
       s.match_probability >= $match_threshold AS is_match,
       CASE WHEN cl.cluster_id = cr.cluster_id THEN cl.cluster_id END AS cluster_id,
       CASE WHEN k.account_id_l IS NOT NULL THEN 'kept_separate' END AS decision
FROM dup_scored s
LEFT JOIN dup_clusters cl ON cl.account_id = s.account_id_l
LEFT JOIN dup_clusters cr ON cr.account_id = s.account_id_r
LEFT JOIN dup_kept_separate k
    ON k.account_id_l = least(s.account_id_l, s.account_id_r)
   AND k.account_id_r = greatest(s.account_id_l, s.account_id_r)
ORDER BY s.account_id_l, s.account_id_r
