-- The claim lines of chunks $first to $last, a row for every member of their families with or without claims, in
-- family order (subscriber, member, claim, line; so also chunk by chunk: chunks are runs of consecutive
-- subscribers), each with its chunk. One scan of hp_claims for all of them.
-- Run under the source schema's search path (hp_claims; temp table _hp_chunk_members).
SELECT f.chunk, f.subscriber_id, f.member_id AS family_member, f.employer_id,
       c.claim_id, c.line_number, c.claim_type, c.original_claim_id, c.member_id, c.provider_npi,
       c.service_date, c.processed_at, c.status, c.service_category, c.network, c.billed_amount,
       c.allowed_amount, c.service_date - DATE '1970-01-01' AS service_day,
       epoch_us(c.processed_at) AS processed_us, CAST(c.billed_amount * 100 AS BIGINT) AS billed_cents,
       CAST(c.allowed_amount * 100 AS BIGINT) AS allowed_cents
FROM _hp_chunk_members f LEFT JOIN hp_claims c ON c.member_id = f.member_id
WHERE f.chunk BETWEEN $first AND $last
ORDER BY f.family_order, c.claim_id, c.line_number
