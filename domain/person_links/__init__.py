"""One person across the four portals (``person_links``) and what only that joined view finds.

``links``: the linking rule (certain links and the review list); ``findings``: leaving employees who sign in
to CE by SSO only, the employer's plan against HR, attacks across portals; ``policy``: the knobs.
"""

from domain.person_links.findings import (
    ATTACK_COLUMNS,
    ENROLLED_WITHOUT_ACTIVE_HR,
    IP_SEVERAL_PORTALS,
    LEAVING_COLUMNS,
    MISMATCH_COLUMNS,
    SUCCESS_AFTER_LOCKOUT,
    SUCCESS_AFTER_STUFFING,
    TERMINATED_STILL_ENROLLED,
    cross_portal_attacks_sql,
    leaving_sso_only_sql,
    plan_hr_mismatch_sql,
)
from domain.person_links.links import (
    CE_ACCOUNT,
    HR,
    LINK_COLUMNS,
    PLAN_MEMBER,
    PORTAL_USER_PREFIX,
    REVIEW_COLUMNS,
    LinkInputs,
    Statement,
    new_portal_users_sql,
    person_link_review_sql,
    person_link_rows_sql,
    person_links_sql,
)
from domain.person_links.policy import PersonLinkPolicy

__all__ = [
    "ATTACK_COLUMNS",
    "CE_ACCOUNT",
    "ENROLLED_WITHOUT_ACTIVE_HR",
    "HR",
    "IP_SEVERAL_PORTALS",
    "LEAVING_COLUMNS",
    "LINK_COLUMNS",
    "MISMATCH_COLUMNS",
    "PLAN_MEMBER",
    "PORTAL_USER_PREFIX",
    "REVIEW_COLUMNS",
    "SUCCESS_AFTER_LOCKOUT",
    "SUCCESS_AFTER_STUFFING",
    "TERMINATED_STILL_ENROLLED",
    "LinkInputs",
    "PersonLinkPolicy",
    "Statement",
    "cross_portal_attacks_sql",
    "leaving_sso_only_sql",
    "new_portal_users_sql",
    "person_link_review_sql",
    "person_link_rows_sql",
    "person_links_sql",
    "plan_hr_mismatch_sql",
]
