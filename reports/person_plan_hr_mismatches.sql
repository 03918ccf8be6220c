-- Finding: the person's ($person) plan coverage disagrees with HR.
SELECT replace(kind, '_', ' ') AS finding, termination_date AS at,
       'member ' || member_id || ', plan ' || plan_id || ', coverage from ' || CAST(coverage_start AS VARCHAR)
       || coalesce(' to ' || CAST(coverage_end AS VARCHAR), ' (open)') AS detail
FROM plan_hr_mismatches WHERE person_key = $person
