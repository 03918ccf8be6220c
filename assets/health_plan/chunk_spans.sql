-- The enrollment spans of the members of chunks $first to $last, chunk by chunk, each chunk's in table order (the
-- order that breaks ties between overlapping spans), each with its chunk.
-- Run under the source schema's search path (hp_enrollment; temp table _hp_chunk_members).
SELECT f.chunk, e.member_id, e.plan_id, e.coverage_tier, e.coverage_start - DATE '1970-01-01' AS start_day,
       e.coverage_end - DATE '1970-01-01' AS end_day
FROM hp_enrollment e
JOIN (
    SELECT DISTINCT member_id, chunk FROM _hp_chunk_members WHERE chunk BETWEEN $first AND $last
) f ON f.member_id = e.member_id
ORDER BY f.chunk, e.rowid
