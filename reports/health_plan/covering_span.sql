-- The span covering $member_id on $on (the latest-starting one when several do, as
-- domain.health_plan.enrollment.covering_row decides), with the plan year's name. The caller checks scope.
SELECT e.plan_id, p.name AS plan_name, p.plan_year, e.coverage_tier, e.coverage_start, e.coverage_end
FROM employer_enrollment e
LEFT JOIN plan_years p ON p.plan_id = e.plan_id AND p.plan_year_start <= $on AND $on <= p.plan_year_end
WHERE e.member_id = $member_id AND e.coverage_start <= $on AND (e.coverage_end IS NULL OR e.coverage_end >= $on)
ORDER BY e.coverage_start DESC, e.plan_id
LIMIT 1
