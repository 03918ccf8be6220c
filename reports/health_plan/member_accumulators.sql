-- Deductible and OOP met and limits per member, plan year and network, at the end of the data.
-- Scope: $visible, the members a member may see (NULL only for an admin); $who: one member, NULL for all.
SELECT a.member_id, a.subscriber_id, a.plan_id, a.plan_year, a.network, a.deductible_limit, a.oop_limit,
       a.coverage_tier, a.plan_year_start, a.employer_id, a.deductible_met, a.oop_met
FROM member_accumulators a
WHERE ($visible IS NULL OR list_contains($visible, a.member_id)) AND ($who IS NULL OR a.member_id = $who)
ORDER BY a.member_id, a.subscriber_id, a.plan_id, a.plan_year, a.network
