-- Subscribers and members covered at each month-end from $first_month to $last_month (first days of months),
-- by plan and tier; a member counts once a month, under the latest-starting span covering the month-end.
-- Scope: $employer is the employer's own id; NULL only for an admin.
WITH months AS (
    SELECT CAST(last_day(m) AS DATE) AS month_end
    FROM range(CAST($first_month AS DATE), CAST($last_month AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
), covered AS (
    SELECT m.month_end, e.member_id, e.relationship, e.plan_id, e.coverage_tier
    FROM months m JOIN employer_enrollment e
      ON e.coverage_start <= m.month_end AND (e.coverage_end IS NULL OR e.coverage_end >= m.month_end)
    WHERE $employer IS NULL OR e.employer_id = $employer
    QUALIFY row_number() OVER (
        PARTITION BY m.month_end, e.member_id ORDER BY e.coverage_start DESC, e.plan_id
    ) = 1
)
SELECT month_end, plan_id, coverage_tier,
       CAST(count(*) FILTER (WHERE relationship = 'self') AS INTEGER) AS subscribers,
       CAST(count(*) AS INTEGER) AS members
FROM covered GROUP BY month_end, plan_id, coverage_tier ORDER BY month_end, plan_id, coverage_tier
