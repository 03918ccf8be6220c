-- The subscriber of a member's family, from the member's accumulators (every priced member has some).
SELECT DISTINCT subscriber_id FROM member_accumulators WHERE member_id = ?
