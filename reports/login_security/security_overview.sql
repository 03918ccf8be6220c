-- One row per portal over the UTC days $start..$end (NULL: open-ended): the daily totals summed, the SSO share
-- of all logins (NULL without logins) and the findings counted.
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
loops AS (
    SELECT portal, count(*) AS reset_loops
    FROM reset_loops
    WHERE ($start IS NULL OR CAST(first_request_at AS DATE) >= $start)
      AND ($end IS NULL OR CAST(first_request_at AS DATE) <= $end)
    GROUP BY portal
),
bursts AS (
    SELECT portal, count(*) AS stuffing_bursts
    FROM credential_stuffing
    WHERE ($start IS NULL OR CAST(window_start AS DATE) >= $start)
      AND ($end IS NULL OR CAST(window_start AS DATE) <= $end)
    GROUP BY portal
),
expired AS (
    SELECT portal, count(*) AS expired_resets_completed
    FROM reset_outcomes
    WHERE outcome = 'completed_after_expiry'
      AND ($start IS NULL OR CAST(requested_at AS DATE) >= $start)
      AND ($end IS NULL OR CAST(requested_at AS DATE) <= $end)
    GROUP BY portal
)
SELECT d.portal, d.logins, d.failures, d.lockouts, d.resets,
       coalesce(l.reset_loops, 0) AS reset_loops,
       coalesce(b.stuffing_bursts, 0) AS stuffing_bursts,
       coalesce(e.expired_resets_completed, 0) AS expired_resets_completed,
       CASE WHEN d.logins > 0 THEN round(d.sso_logins / d.logins, 4) END AS sso_share
FROM daily d
LEFT JOIN loops l USING (portal)
LEFT JOIN bursts b USING (portal)
LEFT JOIN expired e USING (portal)
ORDER BY d.portal
