"""Login-security marts over the four portals' sign-in events."""

from domain.marts.entry import BIGINT, DATE, DOUBLE, TIMESTAMP, VARCHAR, mart

MARTS = (
    mart(
        "login_lockouts",
        "login_security",
        "Every lock: 5 consecutive failures lock an account (portal, username) for 30 minutes.",
        ("portal", VARCHAR),
        ("username", VARCHAR),
        ("locked_at", TIMESTAMP),
        ("failures", BIGINT),
        ("locked_until", TIMESTAMP),
        ("attempts_while_locked", BIGINT),
    ),
    mart(
        "reset_outcomes",
        "login_security",
        (
            "Each reset token: completed_in_time, completed_after_expiry, abandoned (or "
            "completed_without_request)."
        ),
        ("portal", VARCHAR),
        ("username", VARCHAR),
        ("reset_token", VARCHAR),
        ("requested_at", TIMESTAMP),
        ("completed_at", TIMESTAMP),
        ("outcome", VARCHAR),
        ("minutes_to_complete", DOUBLE),
        ("completions", BIGINT),
    ),
    mart(
        "reset_loops",
        "login_security",
        "3+ reset requests for one account within 24 h with no successful login in between.",
        ("portal", VARCHAR),
        ("username", VARCHAR),
        ("first_request_at", TIMESTAMP),
        ("requests", BIGINT),
        ("last_request_at", TIMESTAMP),
    ),
    mart(
        "credential_stuffing",
        "login_security",
        "Bursts of one IP failing on 20+ distinct usernames of a portal within 10 minutes.",
        ("ip", VARCHAR),
        ("portal", VARCHAR),
        ("window_start", TIMESTAMP),
        ("window_end", TIMESTAMP),
        ("distinct_usernames", BIGINT),
        ("failures", BIGINT),
    ),
    mart(
        "login_daily_summary",
        "login_security",
        (
            "Per portal and organisation calendar day (the org time zone): logins, failures, lockouts, reset "
            "requests, SSO share of logins."
        ),
        ("portal", VARCHAR),
        ("day", DATE),
        ("logins", BIGINT),
        ("failures", BIGINT),
        ("lockouts", BIGINT),
        ("resets", BIGINT),
        ("sso_share", DOUBLE),
        ("sso_logins", BIGINT),
    ),
)
