-- Families in chunks of about $chunk_lines claim lines, in subscriber order (temp table _hp_chunks).
-- Run under the source schema's search path (hp_members, hp_claims).
CREATE OR REPLACE TEMP TABLE _hp_chunks AS
SELECT subscriber_id, CAST((sum(lines) OVER (ORDER BY subscriber_id) - lines) // $chunk_lines AS INTEGER) AS chunk
FROM (
    SELECT m.subscriber_id, count(*) AS lines
    FROM hp_members m LEFT JOIN hp_claims c ON c.member_id = m.member_id
    GROUP BY m.subscriber_id
)
