-- The same as of $until (see member_accumulators_as_of.sql); plan years starting after $as_of are left out.
-- The scope terms are repeated inside the sums so that only the family's lines are summed.
-- Scope: $subscriber, the member's own id (a dependent gets no rows; NULL only for an admin); $who: one
-- family, NULL for all.
SELECT a.subscriber_id, a.plan_id, a.plan_year, a.network, a.deductible_limit, a.oop_limit, a.coverage_tier,
       a.plan_year_start, coalesce(s.deductible_met, 0) AS deductible_met, coalesce(s.oop_met, 0) AS oop_met
FROM family_accumulators a
LEFT JOIN (
    SELECT subscriber_id, plan_id, plan_year, network,
           sum(deductible_applied) AS deductible_met, sum(member_responsibility) AS oop_met
    FROM claim_cost_share
    WHERE order_at < $until
      AND ($subscriber IS NULL OR subscriber_id = $subscriber) AND ($who IS NULL OR subscriber_id = $who)
    GROUP BY subscriber_id, plan_id, plan_year, network
) s USING (subscriber_id, plan_id, plan_year, network)
WHERE ($subscriber IS NULL OR a.subscriber_id = $subscriber) AND ($who IS NULL OR a.subscriber_id = $who)
  AND a.plan_year_start <= $as_of
ORDER BY a.subscriber_id, a.plan_id, a.plan_year, a.network
