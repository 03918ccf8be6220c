-- The claim lines of chunk $chunk's families, a row for every member with or without claims, in family order.
-- Run under the source schema's search path (hp_members, hp_claims; temp table _hp_chunks).
SELECT m.subscriber_id, m.member_id AS family_member, m.employer_id,
       c.claim_id, c.line_number, c.claim_type, c.original_claim_id, c.member_id, c.provider_npi,
       c.service_date, c.processed_at, c.status, c.service_category, c.network, c.billed_amount,
       c.allowed_amount, c.service_date - DATE '1970-01-01' AS service_day,
       epoch_us(c.processed_at) AS processed_us, CAST(c.billed_amount * 100 AS BIGINT) AS billed_cents,
       CAST(c.allowed_amount * 100 AS BIGINT) AS allowed_cents
FROM hp_members m JOIN _hp_chunks k ON k.subscriber_id = m.subscriber_id AND k.chunk = $chunk
LEFT JOIN hp_claims c ON c.member_id = m.member_id
ORDER BY m.subscriber_id, m.member_id, c.claim_id, c.line_number
