-- Spans starting (an add, on coverage_start) or ending (a term, on coverage_end) in [$start, $end].
-- Scope: $employer is the employer's own id; NULL only for an admin.
SELECT 'add' AS change, coverage_start AS change_date, employer_id, employer_name, member_id, subscriber_id,
       relationship, first_name, last_name, coverage_tier, plan_id, coverage_start, coverage_end
FROM employer_enrollment
WHERE ($employer IS NULL OR employer_id = $employer) AND coverage_start BETWEEN $start AND $end
UNION ALL
SELECT 'term' AS change, coverage_end AS change_date, employer_id, employer_name, member_id, subscriber_id,
       relationship, first_name, last_name, coverage_tier, plan_id, coverage_start, coverage_end
FROM employer_enrollment
WHERE ($employer IS NULL OR employer_id = $employer) AND coverage_end BETWEEN $start AND $end
ORDER BY change_date, change, employer_id, member_id
