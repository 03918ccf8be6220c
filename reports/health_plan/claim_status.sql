-- Claims (effective version only) with the provider's name and, for a claim with unpriced lines, the first
-- exception's reason; newest processed first. Scope (reads._claim_scope): a provider's $npi; a member's $family
-- (their family's subscriber, NULL when not known: it only narrows) and $visible (the members whose lines they
-- may see); all NULL only for an admin. Filters, NULL for any: $claim_id (the original's id or the effective
-- version's), $member_id, $status, $processed_since/$processed_until (processed_at in [since, until): the org
-- days asked, as UTC instants), $service_from/$service_to.
SELECT s.root_claim_id, s.claim_id, s.claim_type, s.member_id, s.provider_npi, s.service_date, s.processed_at,
       s.status, s.line_count, s.unpriced_lines, s.billed_amount, s.allowed_amount, s.member_responsibility,
       s.plan_paid, p.name AS provider_name, x.reason AS exception
FROM (
    SELECT *
    FROM claim_status
    WHERE ($npi IS NULL OR provider_npi = $npi)
      AND ($family IS NULL OR subscriber_id = $family)
      AND ($visible IS NULL OR list_contains($visible, member_id))
      AND ($claim_id IS NULL OR root_claim_id = $claim_id OR claim_id = $claim_id)
      AND ($member_id IS NULL OR member_id = $member_id)
      AND ($status IS NULL OR status = $status)
      AND ($processed_since IS NULL OR processed_at >= $processed_since)
      AND ($processed_until IS NULL OR processed_at < $processed_until)
      AND ($service_from IS NULL OR service_date >= $service_from)
      AND ($service_to IS NULL OR service_date <= $service_to)
) s
LEFT JOIN plan_providers p ON p.npi = s.provider_npi
LEFT JOIN (
    SELECT claim_id, min(reason) AS reason FROM claim_exceptions GROUP BY claim_id
) x ON x.claim_id = s.claim_id AND s.unpriced_lines > 0
ORDER BY s.processed_at DESC, s.root_claim_id
