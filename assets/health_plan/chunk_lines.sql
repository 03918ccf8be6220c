-- The claim lines of chunks $first to $last, a row for every member of their families with or without claims, in
-- family order (subscriber, member, claim, line; so also chunk by chunk: chunks are runs of consecutive
-- subscribers), each with its chunk. One scan of hp_claims for all of them. The engine's numbers (days, microseconds,
-- cents) are not exported: the worker reads them off these columns' own values (assets.health_plan.chunks).
-- Run under the source schema's search path (hp_claims; temp table _hp_chunk_members).
SELECT f.chunk, f.subscriber_id, f.member_id AS family_member, f.employer_id,
       c.claim_id, c.line_number, c.claim_type, c.original_claim_id, c.member_id, c.provider_npi,
       c.service_date, c.processed_at, c.status, c.service_category, c.network, c.billed_amount,
       c.allowed_amount
FROM _hp_chunk_members f LEFT JOIN hp_claims c ON c.member_id = f.member_id
WHERE f.chunk BETWEEN $first AND $last
ORDER BY f.family_order, c.claim_id, c.line_number
