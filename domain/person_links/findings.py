"""What only the joined view finds (issue 24, point 3): each rule is one SELECT over named inputs.

- :func:`leaving_sso_only_sql`: people with a termination date in HR whose CE accounts all sign in by SSO and
  none carries a personal e-mail: when the SSO account closes they lose the way into their CE transcript (the
  portal tells former staff to add a personal e-mail first).
- :func:`plan_hr_mismatch_sql`: the employer's own plan against HR, before the next 834:
  ``terminated_still_enrolled``: an HR termination date, yet the person's subscriber record in the employer's
  group has coverage past the end of the termination month (or open);
  ``enrolled_without_active_hr``: a subscriber in the employer's group with open coverage whom no HR record links
  (no certain link at all).
- :func:`cross_portal_attacks_sql`: ``ip_several_portals``: one IP failing on several portals in one burst (no gap
  longer than attack_minutes between its failures); ``success_after_lockout`` / ``success_after_stuffing``: a
  successful sign-in of a person on one portal from the start of a lockout or stuffing burst that hit the same
  person on another portal until attack_minutes after it ended.

Only certain links (``marts.person_links``) join sources; the review list joins nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.person_links.links import CE_ACCOUNT, PLAN_MEMBER, PORTAL_USER_PREFIX
from domain.person_links.policy import PersonLinkPolicy

LEAVING_COLUMNS = (
    "person_key", "first_name", "last_name", "department", "termination_date", "account_ids", "emails",
)  # fmt: skip
MISMATCH_COLUMNS = (
    "kind", "person_key", "member_id", "employer_id", "first_name", "last_name", "plan_id", "coverage_tier",
    "coverage_start", "coverage_end", "termination_date",
)  # fmt: skip
ATTACK_COLUMNS = (
    "kind", "person_keys", "ip", "portals", "first_at", "last_at", "failures", "trigger_portal",
    "trigger_username", "trigger_at", "success_portal", "success_username", "success_at",
)  # fmt: skip

TERMINATED_STILL_ENROLLED = "terminated_still_enrolled"
ENROLLED_WITHOUT_ACTIVE_HR = "enrolled_without_active_hr"
IP_SEVERAL_PORTALS = "ip_several_portals"
SUCCESS_AFTER_LOCKOUT = "success_after_lockout"
SUCCESS_AFTER_STUFFING = "success_after_stuffing"


@dataclass(frozen=True)
class FindingInputs:
    #: person_key, source, source_id (the certain links)
    links: str = "marts.person_links"
    #: person_id, first_name, last_name, department, termination_date
    people: str = "staging.lc_people"
    #: account_id, email, login_method, email_domain_kind (``personal`` / ``organisation``)
    ce_accounts: str = "marts.ce_accounts"
    #: member_id, relationship, employer_id, first_name, last_name
    members: str = "staging.hp_members"
    #: member_id, plan_id, coverage_tier, coverage_start, coverage_end
    enrollment: str = "staging.hp_enrollment"
    #: staging.auth_events shape
    events: str = "staging.auth_events"
    #: portal, username, locked_at, failures
    lockouts: str = "marts.login_lockouts"
    #: ip, portal, window_start, window_end, failures
    stuffing: str = "marts.credential_stuffing"


def leaving_sso_only_sql(t: FindingInputs = FindingInputs()) -> str:
    return f"""
    WITH ce AS (
        SELECT l.person_key, a.account_id, a.email, a.login_method, a.email_domain_kind
        FROM {t.links} l JOIN {t.ce_accounts} a ON l.source = '{CE_ACCOUNT}' AND a.account_id = l.source_id
    ),
    per_person AS (
        SELECT person_key,
               bool_and(login_method = 'sso') AS sso_only,
               bool_or(coalesce(email_domain_kind = 'personal', FALSE)) AS has_personal,
               string_agg(account_id, ', ' ORDER BY account_id) AS account_ids,
               string_agg(email, ', ' ORDER BY account_id) AS emails
        FROM ce GROUP BY person_key
    )
    SELECT p.person_id AS person_key, p.first_name, p.last_name, p.department, p.termination_date,
           c.account_ids, c.emails
    FROM {t.people} p JOIN per_person c ON c.person_key = p.person_id
    WHERE p.termination_date IS NOT NULL AND c.sso_only AND NOT c.has_personal
    ORDER BY p.termination_date, p.person_id
    """


def plan_hr_mismatch_sql(
    t: FindingInputs = FindingInputs(), policy: PersonLinkPolicy = PersonLinkPolicy()
) -> str:
    employer = (
        f"SELECT CAST('{policy.employer_id.replace(chr(39), '')}' AS VARCHAR) AS employer_id"
        if policy.employer_id
        else f"""SELECT s.employer_id FROM {t.members} s
                 JOIN {t.links} l ON l.source = '{PLAN_MEMBER}' AND l.source_id = s.member_id
                 WHERE s.relationship = 'self'
                 GROUP BY s.employer_id ORDER BY count(DISTINCT s.member_id) DESC, s.employer_id LIMIT 1"""
    )
    return f"""
    WITH employer AS ({employer}),
    subscribers AS (
        SELECT m.member_id, m.employer_id, m.first_name, m.last_name
        FROM {t.members} m JOIN employer e USING (employer_id) WHERE m.relationship = 'self'
    ),
    latest AS (
        SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end FROM (
            SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY coverage_start DESC, plan_id) AS k
            FROM {t.enrollment}
        ) WHERE k = 1
    ),
    linked AS (
        SELECT l.person_key, l.source_id AS member_id, p.termination_date
        FROM {t.links} l JOIN {t.people} p ON p.person_id = l.person_key
        WHERE l.source = '{PLAN_MEMBER}'
    )
    SELECT '{TERMINATED_STILL_ENROLLED}' AS kind, k.person_key, s.member_id, s.employer_id, s.first_name,
           s.last_name, e.plan_id, e.coverage_tier, e.coverage_start, e.coverage_end, k.termination_date
    FROM subscribers s JOIN linked k USING (member_id) JOIN latest e USING (member_id)
    WHERE k.termination_date IS NOT NULL
      AND (e.coverage_end IS NULL OR e.coverage_end > last_day(k.termination_date))
    UNION ALL
    SELECT '{ENROLLED_WITHOUT_ACTIVE_HR}', NULL, s.member_id, s.employer_id, s.first_name, s.last_name,
           e.plan_id, e.coverage_tier, e.coverage_start, e.coverage_end, NULL
    FROM subscribers s JOIN latest e USING (member_id)
    WHERE e.coverage_end IS NULL AND s.member_id NOT IN (SELECT member_id FROM linked)
    ORDER BY 1, 3
    """


def cross_portal_attacks_sql(
    t: FindingInputs = FindingInputs(), policy: PersonLinkPolicy = PersonLinkPolicy()
) -> str:
    gap = f"INTERVAL {policy.attack_minutes} MINUTE"
    return f"""
    WITH users AS (
        SELECT person_key, substr(source, {len(PORTAL_USER_PREFIX) + 1}) AS portal, source_id AS username
        FROM {t.links} WHERE source LIKE '{PORTAL_USER_PREFIX}%'
    ),
    failures AS (
        SELECT ip, portal, username, occurred_at, event_id FROM {t.events}
        WHERE event_type = 'login_failure' AND ip IS NOT NULL
    ),
    -- one IP: a burst runs while no two consecutive failures are more than the gap apart
    several AS (SELECT ip FROM failures GROUP BY ip HAVING count(DISTINCT portal) >= {policy.attack_portals}),
    stepped AS (
        SELECT f.*, CASE WHEN lag(occurred_at) OVER w IS NULL
                           OR occurred_at - lag(occurred_at) OVER w > {gap} THEN 1 ELSE 0 END AS opens
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
        SELECT '{SUCCESS_AFTER_LOCKOUT}' AS kind, portal, username, locked_at AS started_at,
               locked_at AS ended_at, CAST(failures AS BIGINT) AS failures
        FROM {t.lockouts}
        UNION ALL
        SELECT DISTINCT '{SUCCESS_AFTER_STUFFING}', s.portal, f.username, s.window_start, s.window_end,
               CAST(s.failures AS BIGINT)
        FROM {t.stuffing} s JOIN failures f
          ON f.ip = s.ip AND f.portal = s.portal AND f.occurred_at BETWEEN s.window_start AND s.window_end
    ),
    hit AS (
        SELECT tr.*, u.person_key FROM triggers tr JOIN users u USING (portal, username)
    ),
    successes AS (
        SELECT e.portal, e.username, e.occurred_at, e.ip, u.person_key
        FROM {t.events} e JOIN users u USING (portal, username)
        WHERE e.event_type = 'login_success'
    ),
    success_rows AS (
        SELECT h.kind, h.person_key, s.ip, h.portal AS trigger_portal, h.username AS trigger_username,
               h.started_at AS trigger_at, h.failures, s.portal AS success_portal,
               s.username AS success_username, s.occurred_at AS success_at
        FROM hit h JOIN successes s
          ON s.person_key = h.person_key AND s.portal <> h.portal
         AND s.occurred_at BETWEEN h.started_at AND h.ended_at + {gap}
    )
    SELECT '{IP_SEVERAL_PORTALS}' AS kind, person_keys, ip, portals, first_at, last_at, failures,
           CAST(NULL AS VARCHAR) AS trigger_portal, CAST(NULL AS VARCHAR) AS trigger_username,
           CAST(NULL AS TIMESTAMP) AS trigger_at, CAST(NULL AS VARCHAR) AS success_portal,
           CAST(NULL AS VARCHAR) AS success_username, CAST(NULL AS TIMESTAMP) AS success_at
    FROM ip_rows WHERE n_portals >= {policy.attack_portals}
    UNION ALL
    SELECT kind, [person_key], ip, trigger_portal || ', ' || success_portal, trigger_at, success_at, failures,
           trigger_portal, trigger_username, trigger_at, success_portal, success_username, success_at
    FROM success_rows
    ORDER BY first_at, kind, ip, trigger_username, success_at
    """
