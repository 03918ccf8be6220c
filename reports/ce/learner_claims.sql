-- Attendance claims by or for the accounts $ids, newest first.
SELECT received_at, activity_id, channel, outcome, reason, claimed_account_id, event_id
FROM marts.ce_attendance_outcomes
WHERE list_contains($ids, account_id) OR list_contains($ids, claimed_account_id)
ORDER BY received_at DESC, event_id
