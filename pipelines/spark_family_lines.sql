-- Spark SQL: every member's claim lines with the family's bucket (a hash of the subscriber id into :buckets
-- groups), days and cents as integers for the engine.
SELECT pmod(hash(m.subscriber_id), :buckets) AS bucket, m.subscriber_id, m.member_id AS family_member,
       m.employer_id,
       c.claim_id, c.line_number, c.claim_type, c.original_claim_id, c.member_id, c.provider_npi,
       c.service_date, c.processed_at, c.status, c.service_category, c.network, c.billed_amount,
       c.allowed_amount, datediff(c.service_date, DATE '1970-01-01') AS service_day,
       unix_micros(CAST(c.processed_at AS TIMESTAMP)) AS processed_us,
       CAST(c.billed_amount * 100 AS BIGINT) AS billed_cents,
       CAST(c.allowed_amount * 100 AS BIGINT) AS allowed_cents
FROM portalytics_hp_members m LEFT JOIN portalytics_hp_claims c ON c.member_id = m.member_id
