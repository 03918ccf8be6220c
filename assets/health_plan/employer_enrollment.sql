-- marts.employer_enrollment: the roster, one row per enrollment span with the member's employer, family and names.
SELECT m.employer_id, e.name AS employer_name, en.member_id, m.subscriber_id, m.relationship,
       m.first_name, m.last_name, en.coverage_tier, en.plan_id, en.coverage_start, en.coverage_end
FROM staging.hp_enrollment en
JOIN staging.hp_members m ON m.member_id = en.member_id
LEFT JOIN staging.hp_employers e ON e.employer_id = m.employer_id
ORDER BY m.employer_id, m.subscriber_id, en.member_id, en.coverage_start, en.plan_id
