-- The roster on $on: members with a span covering the day (domain.health_plan.enrollment.covering_row's rule),
-- subscriber and dependents. Scope: $employer is the employer's own id; NULL only for an admin.
SELECT employer_id, employer_name, member_id, subscriber_id, relationship, first_name, last_name, coverage_tier,
       plan_id, coverage_start, coverage_end
FROM employer_enrollment
WHERE ($employer IS NULL OR employer_id = $employer)
  AND coverage_start <= $on AND (coverage_end IS NULL OR coverage_end >= $on)
ORDER BY employer_id, subscriber_id, relationship <> 'self', member_id, coverage_start
