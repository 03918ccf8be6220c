-- People whose person_id or e-mail is $needle, whose name is LIKE $like (either order, '\' escapes), or who
-- hold a linked id equal to $needle; at most $limit, by name.
SELECT person_id, first_name, last_name, department, termination_date
FROM learning_people p
WHERE lower(person_id) = $needle OR lower(email) = $needle
   OR lower(first_name || ' ' || last_name) LIKE $like ESCAPE '\'
   OR lower(last_name || ', ' || first_name) LIKE $like ESCAPE '\'
   OR person_id IN (SELECT person_key FROM person_links WHERE lower(source_id) = $needle)
ORDER BY last_name, first_name, person_id
LIMIT $limit
