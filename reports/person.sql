-- One person as the help desk sees them ($person).
SELECT person_id, first_name, last_name, email, department, job_role, hire_date, termination_date
FROM learning_people WHERE person_id = $person
