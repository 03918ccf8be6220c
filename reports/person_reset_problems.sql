-- Reset links of the pairs $users not completed in time.
SELECT portal, username, 'reset ' || replace(outcome, '_', ' ') AS problem,
       coalesce(requested_at, completed_at) AS at,
       coalesce(CAST(minutes_to_complete AS VARCHAR) || ' minutes to complete', 'never completed') AS detail
FROM reset_outcomes
WHERE outcome <> 'completed_in_time' AND list_contains($users, {'portal': portal, 'username': username})
