-- One row per portal over the org days $start..$end (NULL: open-ended): the daily totals summed, the SSO share
-- of all logins (NULL without logins) and the findings counted (each on the org day it began: its first
-- instant in [$since, $until), the same days as UTC instants).
WITH daily AS (
    SELECT portal,
           CAST(sum(logins) AS BIGINT) AS logins,
           CAST(sum(failures) AS BIGINT) AS failures,
           CAST(sum(lockouts) AS BIGINT) AS lockouts,
           CAST(sum(resets) AS BIGINT) AS resets,
           CAST(sum(sso_logins) AS BIGINT) AS sso_logins
    FROM login_daily_summary
    WHERE ($start IS NULL OR day >= $start)
      AND ($end IS NULL OR day <= $end)
    GROUP BY portal
),
findings AS (
    SELECT portal, 'reset_loop' AS finding, first_request_at AS began FROM reset_loops
    UNION ALL
    SELECT portal, 'stuffing_burst', window_start FROM credential_stuffing
    UNION ALL
    SELECT portal, 'expired_reset_completed', requested_at FROM reset_outcomes
    WHERE outcome = 'completed_after_expiry'
),
counted AS (
    SELECT portal,
           count(*) FILTER (WHERE finding = 'reset_loop') AS reset_loops,
           count(*) FILTER (WHERE finding = 'stuffing_burst') AS stuffing_bursts,
           count(*) FILTER (WHERE finding = 'expired_reset_completed') AS expired_resets_completed
    FROM findings
    WHERE ($since IS NULL OR began >= $since)
      AND ($until IS NULL OR began < $until)
    GROUP BY portal
)
SELECT d.portal, d.logins, d.failures, d.lockouts, d.resets,
       coalesce(c.reset_loops, 0) AS reset_loops,
       coalesce(c.stuffing_bursts, 0) AS stuffing_bursts,
       coalesce(c.expired_resets_completed, 0) AS expired_resets_completed,
       CASE WHEN d.logins > 0 THEN round(d.sso_logins / d.logins, 4) END AS sso_share
FROM daily d
LEFT JOIN counted c USING (portal)
ORDER BY d.portal
