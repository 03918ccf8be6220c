-- Cost share of each effective claim line, in processing order. Scope (reads._claim_scope): a provider's
-- $npi; a member's $family (their family's subscriber, NULL when not known: it only narrows) and $visible
-- (the members whose lines they may see); all NULL only for an admin. Filters: $member_id (with its family
-- $member_family, NULL when not known) and $claim_id (the original's id or a version's), NULL for any.
SELECT claim_id, line_number, member_id, service_date, processed_at, provider_npi, service_category, network,
       status, allowed_amount, deductible_applied, coinsurance, copay, member_responsibility, plan_paid, basis,
       explanation, plan_id, plan_year, root_claim_id, billed_amount
FROM claim_cost_share
WHERE ($npi IS NULL OR provider_npi = $npi)
  AND ($family IS NULL OR subscriber_id = $family)
  AND ($visible IS NULL OR list_contains($visible, member_id))
  AND ($member_id IS NULL OR member_id = $member_id)
  AND ($member_family IS NULL OR subscriber_id = $member_family)
  AND ($claim_id IS NULL OR claim_id = $claim_id OR root_claim_id = $claim_id)
ORDER BY subscriber_id, plan_year, order_at, root_claim_id, line_number
