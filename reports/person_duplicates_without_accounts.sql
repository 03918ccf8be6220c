-- person_duplicates.sql for a snapshot without marts.ce_accounts: no e-mail or sign-in.
SELECT c.cluster_id, c.account_id, c.classification, c.recommended_survivor_account_id
FROM duplicate_account_clusters c
WHERE c.cluster_id IN (
    SELECT cluster_id FROM duplicate_account_clusters WHERE list_contains($accounts, account_id)
)
ORDER BY c.cluster_id, c.account_id
