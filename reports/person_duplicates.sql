-- Every duplicate cluster one of the CE accounts $accounts is in, with each member account's e-mail and
-- sign-in.
SELECT c.cluster_id, c.account_id, a.email, a.login_method, c.classification,
       c.recommended_survivor_account_id
FROM duplicate_account_clusters c LEFT JOIN ce_accounts a USING (account_id)
WHERE c.cluster_id IN (
    SELECT cluster_id FROM duplicate_account_clusters WHERE list_contains($accounts, account_id)
)
ORDER BY c.cluster_id, c.account_id
