-- Deductible and OOP met and limits per family (subscriber), plan year and network, at the end of the data.
-- Scope: $subscriber, the member's own id (a dependent gets no rows; NULL only for an admin); $who: one
-- family, NULL for all.
SELECT a.subscriber_id, a.plan_id, a.plan_year, a.network, a.deductible_limit, a.oop_limit, a.coverage_tier,
       a.plan_year_start, a.deductible_met, a.oop_met
FROM family_accumulators a
WHERE ($subscriber IS NULL OR a.subscriber_id = $subscriber) AND ($who IS NULL OR a.subscriber_id = $who)
ORDER BY a.subscriber_id, a.plan_id, a.plan_year, a.network
