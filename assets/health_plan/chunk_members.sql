-- Every member row of the chunked families with its chunk and its place in family order (subscriber, member):
-- temp table _hp_chunk_members, written in that order. Run under the source schema's search path (hp_members;
-- temp table _hp_chunks).
CREATE OR REPLACE TEMP TABLE _hp_chunk_members AS
SELECT m.member_id, m.subscriber_id, m.employer_id, k.chunk,
       row_number() OVER (ORDER BY m.subscriber_id, m.member_id) AS family_order
FROM hp_members m JOIN _hp_chunks k ON k.subscriber_id = m.subscriber_id
ORDER BY family_order
