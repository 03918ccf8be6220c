-- The compliance rows of one run's as-of date within a scope: $person_id (staff: themselves) and $departments
-- (an education manager's), each NULL for no narrowing (an admin). Columns: compliance_status's own.
SELECT *
FROM compliance_status
WHERE as_of = $as_of
  AND ($person_id IS NULL OR person_id = $person_id)
  AND ($departments IS NULL OR list_contains($departments, department))
