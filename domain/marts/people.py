"""One person across the portals: the links, the review list and the findings joined through them."""

from domain.marts.entry import BIGINT, DATE, DOUBLE, TIMESTAMP, VARCHAR, VARCHAR_LIST, mart

MARTS = (
    mart(
        "cross_portal_attacks",
        "people",
        (
            "One IP failing on several portals, or a person's success on one portal within 60 minutes of a "
            "lockout or stuffing burst that hit them on another."
        ),
        ("kind", VARCHAR),
        ("person_keys", VARCHAR_LIST),
        ("ip", VARCHAR),
        ("portals", VARCHAR),
        ("first_at", TIMESTAMP),
        ("last_at", TIMESTAMP),
        ("failures", BIGINT),
        ("trigger_portal", VARCHAR),
        ("trigger_username", VARCHAR),
        ("trigger_at", TIMESTAMP),
        ("success_portal", VARCHAR),
        ("success_username", VARCHAR),
        ("success_at", TIMESTAMP),
    ),
    mart(
        "leaving_sso_only",
        "people",
        (
            "People with a termination date in HR whose CE accounts all sign in by SSO and carry no personal"
            " e-mail: they lose their CE transcript with the SSO account."
        ),
        ("person_key", VARCHAR),
        ("first_name", VARCHAR),
        ("last_name", VARCHAR),
        ("department", VARCHAR),
        ("termination_date", DATE),
        ("account_ids", VARCHAR),
        ("emails", VARCHAR),
    ),
    mart(
        "person_links",
        "people",
        (
            "One person (HR person_id) across the portals: HR, CE accounts, plan members and portal user "
            "names, each with its method and evidence; probabilistic links at ≥ 0.99."
        ),
        ("person_key", VARCHAR),
        ("source", VARCHAR),
        ("source_id", VARCHAR),
        ("method", VARCHAR),
        ("probability", DOUBLE),
        ("evidence", VARCHAR),
    ),
    mart(
        "person_link_review",
        "people",
        "Links below certainty, or to more than one person: shown for review, never merged.",
        ("person_key", VARCHAR),
        ("source", VARCHAR),
        ("source_id", VARCHAR),
        ("method", VARCHAR),
        ("probability", DOUBLE),
        ("evidence", VARCHAR),
        ("reason", VARCHAR),
    ),
    mart(
        "plan_hr_mismatches",
        "people",
        (
            "The employer's own plan against HR: terminated in HR but still enrolled past the termination "
            "month, or enrolled as an employee with no HR record."
        ),
        ("kind", VARCHAR),
        ("person_key", VARCHAR),
        ("member_id", VARCHAR),
        ("employer_id", VARCHAR),
        ("first_name", VARCHAR),
        ("last_name", VARCHAR),
        ("plan_id", VARCHAR),
        ("coverage_tier", VARCHAR),
        ("coverage_start", DATE),
        ("coverage_end", DATE),
        ("termination_date", DATE),
    ),
)
