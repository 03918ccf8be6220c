-- Coverage spans of the plan members $members: who, which employer, plan, tier and dates (never a claim or an
-- amount).
SELECT member_id, employer_name, relationship, plan_id, coverage_tier, coverage_start, coverage_end
FROM employer_enrollment WHERE list_contains($members, member_id)
ORDER BY member_id, coverage_start
