"""Login security across the four portals (domain-rules.md "Login security"), as set-based Ibis rules.

Every rule takes an Ibis table shaped like ``staging.auth_events`` and returns an Ibis expression, so the same
rule runs on DuckDB and on Spark. ``MARTS`` names each mart with its columns, in the order they are written.
"""

from domain.login_security.events import Scratch
from domain.login_security.lockouts import COLUMNS as LOCKOUT_COLUMNS
from domain.login_security.lockouts import lockouts_after_new_events, login_attempts, login_lockouts
from domain.login_security.policy import LoginSecurityPolicy
from domain.login_security.resets import (
    ABANDONED,
    COMPLETED_AFTER_EXPIRY,
    COMPLETED_IN_TIME,
    COMPLETED_WITHOUT_REQUEST,
    LOOP_COLUMNS,
    OUTCOME_COLUMNS,
    reset_loops,
    reset_outcomes,
)
from domain.login_security.stuffing import COLUMNS as STUFFING_COLUMNS
from domain.login_security.stuffing import credential_stuffing, stuffing_after_new_events
from domain.login_security.summary import COLUMNS as SUMMARY_COLUMNS
from domain.login_security.summary import login_daily_summary

MARTS: dict[str, tuple[str, ...]] = {
    "login_lockouts": LOCKOUT_COLUMNS,
    "reset_outcomes": OUTCOME_COLUMNS,
    "reset_loops": LOOP_COLUMNS,
    "credential_stuffing": STUFFING_COLUMNS,
    "login_daily_summary": SUMMARY_COLUMNS,
}

__all__ = [
    "ABANDONED",
    "COMPLETED_AFTER_EXPIRY",
    "COMPLETED_IN_TIME",
    "COMPLETED_WITHOUT_REQUEST",
    "MARTS",
    "LoginSecurityPolicy",
    "Scratch",
    "credential_stuffing",
    "login_attempts",
    "login_daily_summary",
    "login_lockouts",
    "lockouts_after_new_events",
    "reset_loops",
    "reset_outcomes",
    "stuffing_after_new_events",
]
