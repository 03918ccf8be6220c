-- The enrollment spans of chunk $chunk's members in table order (the order that breaks ties between
-- overlapping spans). Run under the source schema's search path (hp_members, hp_enrollment; temp _hp_chunks).
SELECT e.member_id, e.plan_id, e.coverage_tier, e.coverage_start - DATE '1970-01-01' AS start_day,
       e.coverage_end - DATE '1970-01-01' AS end_day
FROM hp_enrollment e
WHERE e.member_id IN (
    SELECT m.member_id
    FROM hp_members m JOIN _hp_chunks k ON k.subscriber_id = m.subscriber_id AND k.chunk = $chunk
)
ORDER BY e.rowid
