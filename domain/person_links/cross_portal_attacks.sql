-- Attacks across portals (domain/person_links/findings.py). $attack_minutes: the longest gap inside a burst and
-- how long after a lockout or stuffing burst a success counts; $attack_portals: portals one IP must fail on.
WITH users AS (
    SELECT person_key, substr(source, length('portal_user:') + 1) AS portal, source_id AS username
    FROM marts.person_links WHERE source LIKE 'portal_user:%'
),
failures AS (
    SELECT ip, portal, username, occurred_at, event_id FROM staging.auth_events
    WHERE event_type = 'login_failure' AND ip IS NOT NULL
),
-- one IP: a burst runs while no two consecutive failures are more than the gap apart
several AS (SELECT ip FROM failures GROUP BY ip HAVING count(DISTINCT portal) >= $attack_portals),
stepped AS (
    SELECT f.*, CASE WHEN lag(occurred_at) OVER w IS NULL
                       OR occurred_at - lag(occurred_at) OVER w > to_minutes($attack_minutes) THEN 1 ELSE 0 END AS opens
    FROM failures f SEMI JOIN several USING (ip)
    WINDOW w AS (PARTITION BY ip ORDER BY occurred_at, event_id)
),
bursts AS (
    SELECT *, sum(opens) OVER (PARTITION BY ip ORDER BY occurred_at, event_id) AS burst FROM stepped
),
ip_rows AS (
    SELECT b.ip, b.burst, min(b.occurred_at) AS first_at, max(b.occurred_at) AS last_at,
           count(*) AS failures, string_agg(DISTINCT b.portal, ', ' ORDER BY b.portal) AS portals,
           count(DISTINCT b.portal) AS n_portals,
           list_sort(list_distinct(list(u.person_key))) AS person_keys
    FROM bursts b LEFT JOIN users u ON u.portal = b.portal AND u.username = b.username
    GROUP BY b.ip, b.burst
),
triggers AS (
    SELECT 'success_after_lockout' AS kind, portal, username, locked_at AS started_at,
           locked_at AS ended_at, CAST(failures AS BIGINT) AS failures
    FROM marts.login_lockouts
    UNION ALL
    SELECT DISTINCT 'success_after_stuffing', s.portal, f.username, s.window_start, s.window_end,
           CAST(s.failures AS BIGINT)
    FROM marts.credential_stuffing s JOIN failures f
      ON f.ip = s.ip AND f.portal = s.portal AND f.occurred_at BETWEEN s.window_start AND s.window_end
),
hit AS (
    SELECT tr.*, u.person_key FROM triggers tr JOIN users u USING (portal, username)
),
successes AS (
    SELECT e.portal, e.username, e.occurred_at, e.ip, u.person_key
    FROM staging.auth_events e JOIN users u USING (portal, username)
    WHERE e.event_type = 'login_success'
),
success_rows AS (
    SELECT h.kind, h.person_key, s.ip, h.portal AS trigger_portal, h.username AS trigger_username,
           h.started_at AS trigger_at, h.failures, s.portal AS success_portal,
           s.username AS success_username, s.occurred_at AS success_at
    FROM hit h JOIN successes s
      ON s.person_key = h.person_key AND s.portal <> h.portal
     AND s.occurred_at BETWEEN h.started_at AND h.ended_at + to_minutes($attack_minutes)
)
SELECT 'ip_several_portals' AS kind, person_keys, ip, portals, first_at, last_at, failures,
       CAST(NULL AS VARCHAR) AS trigger_portal, CAST(NULL AS VARCHAR) AS trigger_username,
       CAST(NULL AS TIMESTAMP) AS trigger_at, CAST(NULL AS VARCHAR) AS success_portal,
       CAST(NULL AS VARCHAR) AS success_username, CAST(NULL AS TIMESTAMP) AS success_at
FROM ip_rows WHERE n_portals >= $attack_portals
UNION ALL
SELECT kind, [person_key], ip, trigger_portal || ', ' || success_portal, trigger_at, success_at, failures,
       trigger_portal, trigger_username, trigger_at, success_portal, success_username, success_at
FROM success_rows
ORDER BY first_at, kind, ip, trigger_username, success_at
