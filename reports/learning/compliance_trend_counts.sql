-- The rows of compliance_trend (status counts per month-end and department) of $departments (NULL: all).
SELECT *
FROM compliance_trend
WHERE $departments IS NULL OR list_contains($departments, department)
