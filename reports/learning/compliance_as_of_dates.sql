-- The run's as-of date(s) of the compliance rows within a scope (as compliance_status_at.sql), newest first.
SELECT DISTINCT as_of
FROM compliance_status
WHERE ($person_id IS NULL OR person_id = $person_id)
  AND ($departments IS NULL OR list_contains($departments, department))
ORDER BY as_of DESC
