"""What only the joined view finds (issue 24, point 3): each rule is one SELECT over named inputs.

- :func:`leaving_sso_only_sql`: people with a termination date in HR whose CE accounts all sign in by SSO and
  none carries a personal e-mail: when the SSO account closes they lose the way into their CE transcript (the
  portal tells former staff to add a personal e-mail first).
- :func:`plan_hr_mismatch_sql`: the employer's own plan against HR, before the next 834:
  ``terminated_still_enrolled``: an HR termination date, yet the person's subscriber record in the employer's
  group has coverage past the end of the termination month (or open);
  ``enrolled_without_active_hr``: a subscriber in the
  employer's group with open coverage whom no HR record links
  (no certain link at all).
- :func:`cross_portal_attacks_sql`: ``ip_several_portals``: one IP failing on several portals in one burst (no
gap
  longer than attack_minutes between its failures); ``success_after_lockout`` / ``success_after_stuffing``: a
  successful sign-in of a person on one portal from the start of a lockout or stuffing burst that hit the same
  person on another portal until attack_minutes after it ended.

Only certain links (``marts.person_links``) join sources; the review list joins nothing. Each SELECT is a
``.sql``
file beside this module (the rule words and source names written out in it, the policy's values bound).
"""

from __future__ import annotations

from domain.person_links.links import Statement
from domain.person_links.policy import PersonLinkPolicy
from domain.sql_files import load

LEAVING_COLUMNS = (
    "person_key",
    "first_name",
    "last_name",
    "department",
    "termination_date",
    "account_ids",
    "emails",
)
MISMATCH_COLUMNS = (
    "kind",
    "person_key",
    "member_id",
    "employer_id",
    "first_name",
    "last_name",
    "plan_id",
    "coverage_tier",
    "coverage_start",
    "coverage_end",
    "termination_date",
)
ATTACK_COLUMNS = (
    "kind",
    "person_keys",
    "ip",
    "portals",
    "first_at",
    "last_at",
    "failures",
    "trigger_portal",
    "trigger_username",
    "trigger_at",
    "success_portal",
    "success_username",
    "success_at",
)

TERMINATED_STILL_ENROLLED = "terminated_still_enrolled"
ENROLLED_WITHOUT_ACTIVE_HR = "enrolled_without_active_hr"
IP_SEVERAL_PORTALS = "ip_several_portals"
SUCCESS_AFTER_LOCKOUT = "success_after_lockout"
SUCCESS_AFTER_STUFFING = "success_after_stuffing"


def leaving_sso_only_sql() -> Statement:
    return Statement(load(__package__, "leaving_sso_only"), {})


def plan_hr_mismatch_sql(policy: PersonLinkPolicy = PersonLinkPolicy()) -> Statement:
    return Statement(load(__package__, "plan_hr_mismatches"), {"employer": policy.employer_id})


def cross_portal_attacks_sql(policy: PersonLinkPolicy = PersonLinkPolicy()) -> Statement:
    return Statement(
        load(__package__, "cross_portal_attacks"),
        {"attack_minutes": policy.attack_minutes, "attack_portals": policy.attack_portals},
    )
