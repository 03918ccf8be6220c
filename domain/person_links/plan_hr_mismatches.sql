-- The employer's own plan against HR (domain/person_links/findings.py). $employer: the health system's employer
-- group, or NULL for the employer whose subscribers link to the most HR records.
WITH employer AS (
    SELECT CAST($employer AS VARCHAR) AS employer_id WHERE $employer IS NOT NULL
    UNION ALL
    SELECT * FROM (
        SELECT s.employer_id FROM staging.hp_members s
        JOIN marts.person_links l ON l.source = 'plan_member' AND l.source_id = s.member_id
        WHERE s.relationship = 'self' AND $employer IS NULL
        GROUP BY s.employer_id ORDER BY count(DISTINCT s.member_id) DESC, s.employer_id LIMIT 1
    )
),
subscribers AS (
    SELECT m.member_id, m.employer_id, m.first_name, m.last_name
    FROM staging.hp_members m JOIN employer e USING (employer_id) WHERE m.relationship = 'self'
),
latest AS (
    SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end FROM (
        SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY coverage_start DESC, plan_id) AS k
        FROM staging.hp_enrollment
    ) WHERE k = 1
),
linked AS (
    SELECT l.person_key, l.source_id AS member_id, p.termination_date
    FROM marts.person_links l JOIN staging.lc_people p ON p.person_id = l.person_key
    WHERE l.source = 'plan_member'
)
SELECT 'terminated_still_enrolled' AS kind, k.person_key, s.member_id, s.employer_id, s.first_name,
       s.last_name, e.plan_id, e.coverage_tier, e.coverage_start, e.coverage_end, k.termination_date
FROM subscribers s JOIN linked k USING (member_id) JOIN latest e USING (member_id)
WHERE k.termination_date IS NOT NULL
  AND (e.coverage_end IS NULL OR e.coverage_end > last_day(k.termination_date))
UNION ALL
SELECT 'enrolled_without_active_hr', NULL, s.member_id, s.employer_id, s.first_name, s.last_name,
       e.plan_id, e.coverage_tier, e.coverage_start, e.coverage_end, NULL
FROM subscribers s JOIN latest e USING (member_id)
WHERE e.coverage_end IS NULL AND s.member_id NOT IN (SELECT member_id FROM linked)
ORDER BY 1, 3
