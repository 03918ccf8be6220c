-- Deductible and out-of-pocket met by one member in a plan year and network, from the claim lines whose place
-- in processing order (order_at) is before $until.
SELECT coalesce(sum(deductible_applied), 0) AS ded, coalesce(sum(member_responsibility), 0) AS oop
FROM claim_cost_share
WHERE member_id = $who AND plan_id = $plan_id AND plan_year = $plan_year AND network = $network AND order_at < $until
