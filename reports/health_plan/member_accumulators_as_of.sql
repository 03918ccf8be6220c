-- The same as of $until (the first instant after the day asked, UTC): running totals are prefix sums in
-- processing order, so "as of" is the sum over the lines whose place in that order (order_at: the original's
-- processed_at for an adjustment) is before it; plan years starting after $as_of are left out.
-- Scope: $visible, the members a member may see (NULL only for an admin); $who: one member, NULL for all;
-- repeated inside the sums so that only those members' lines are summed.
SELECT a.member_id, a.subscriber_id, a.plan_id, a.plan_year, a.network, a.deductible_limit, a.oop_limit,
       a.coverage_tier, a.plan_year_start, a.employer_id,
       coalesce(s.deductible_met, 0) AS deductible_met, coalesce(s.oop_met, 0) AS oop_met
FROM member_accumulators a
LEFT JOIN (
    SELECT member_id, subscriber_id, plan_id, plan_year, network,
           sum(deductible_applied) AS deductible_met, sum(member_responsibility) AS oop_met
    FROM claim_cost_share
    WHERE order_at < $until
      AND ($visible IS NULL OR list_contains($visible, member_id)) AND ($who IS NULL OR member_id = $who)
    GROUP BY member_id, subscriber_id, plan_id, plan_year, network
) s USING (member_id, subscriber_id, plan_id, plan_year, network)
WHERE ($visible IS NULL OR list_contains($visible, a.member_id)) AND ($who IS NULL OR a.member_id = $who)
  AND a.plan_year_start <= $as_of
ORDER BY a.member_id, a.subscriber_id, a.plan_id, a.plan_year, a.network
