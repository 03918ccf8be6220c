-- Reset loops of the pairs $users.
SELECT portal, username, 'reset loop' AS problem, first_request_at AS at,
       CAST(requests AS VARCHAR) || ' requests' AS detail
FROM reset_loops
WHERE list_contains($users, {'portal': portal, 'username': username})
