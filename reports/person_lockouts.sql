-- Lockouts of the (portal, username) pairs $users (a list of {portal, username}).
SELECT portal, username, 'lockout' AS problem, locked_at AS at,
       CAST(failures AS VARCHAR) || ' failures in a row' AS detail
FROM login_lockouts
WHERE list_contains($users, {'portal': portal, 'username': username})
