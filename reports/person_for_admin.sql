-- One person as an administrator sees them ($person): with the masked Learning Center user id.
SELECT person_id, first_name, last_name, email, department, job_role, hire_date, termination_date,
       lc_user_id_masked
FROM learning_people WHERE person_id = $person
