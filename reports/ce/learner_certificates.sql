-- Certificates of the accounts $ids, latest availability first.
SELECT title, status, available_until, account_id, event_id
FROM marts.ce_certificates
WHERE list_contains($ids, account_id)
ORDER BY available_until DESC, event_id
