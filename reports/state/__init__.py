"""The dashboard's own state store (SQLAlchemy 2): users, sessions, reset tokens, audit log, CE decisions.

No Streamlit here: the dashboard, the CLI and the pipeline all use these functions.
"""

from reports.state.db import dispose_engines, get_engine, transaction
from reports.state.decisions import (
    Decision,
    DecisionAction,
    InvalidDecision,
    effective_decisions,
    list_decisions,
    record_decision,
)
from reports.state.models import AuditEntry, MergeDecision, ResetToken, User, UserSession

__all__ = [
    "AuditEntry",
    "Decision",
    "DecisionAction",
    "InvalidDecision",
    "MergeDecision",
    "ResetToken",
    "User",
    "UserSession",
    "dispose_engines",
    "effective_decisions",
    "get_engine",
    "list_decisions",
    "record_decision",
    "transaction",
]
