-- The portal users (portal, user name) that the files $files bring and no other row of staging.auth_events
-- holds. A portal user is what person_link_rows.sql's `users` reads: a user name neither NULL nor blank.
-- When there are none, the files add no portal user and the links read the same users as before them.
WITH n AS (
    SELECT DISTINCT portal, username FROM staging.auth_events
    WHERE list_contains($files, _file_name) AND username IS NOT NULL AND trim(username) <> ''
)
SELECT portal, username
FROM n ANTI JOIN (
    SELECT portal, username FROM staging.auth_events WHERE NOT list_contains($files, _file_name)
) earlier USING (portal, username)
ORDER BY portal, username
