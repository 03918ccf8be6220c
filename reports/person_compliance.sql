-- The person's compliance ($person).
SELECT * FROM compliance_status WHERE person_id = $person ORDER BY due_date
