-- The compliance rows of one month-end of the history within a scope (as compliance_status_at.sql), shaped
-- like compliance_status: its columns, as_of being the month-end.
SELECT * EXCLUDE (month_end)
FROM compliance_history
WHERE month_end = $as_of
  AND ($person_id IS NULL OR person_id = $person_id)
  AND ($departments IS NULL OR list_contains($departments, department))
