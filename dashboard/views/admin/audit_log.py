"""Administration > Audit log: sign-ins, failures, lockouts, user changes, record views and exports.

Reading the log is itself audited (once per distinct filter), as a view of "audit log".
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import table_with_downloads
from reports import audit
from reports.principal import Role

admin = session.require_role(Role.ADMIN)
st.title("Audit log")

filters = st.columns([2, 3, 1])
actor = filters[0].text_input("Who (username)", key="audit_actor")
actions = filters[1].multiselect("What", list(audit.ALL_ACTIONS), key="audit_actions")
limit = filters[2].number_input(
    "Rows", min_value=10, max_value=10_000, value=500, step=100, key="audit_limit"
)

rows = audit.read(session.settings(), admin, actor=actor or None, actions=actions, limit=int(limit))
# Keyed on the filters only: the row count grows by this very audit row, which is not a new view.
viewed = (
    f"who {actor.strip().lower() or 'anyone'}; what {', '.join(actions) or 'everything'}; up to {int(limit)}"
)
if st.session_state.get("audit_log_viewed") != viewed:
    audit.record(admin, "view", "audit log", row_count=len(rows), detail=viewed, settings=session.settings())
    st.session_state["audit_log_viewed"] = viewed
st.caption(
    f"{len(rows)} most recent rows, newest first. "
    f"Times are in the organisation's time zone ({session.settings().org_timezone})."
)
log = pd.DataFrame(
    [
        {
            "when": r.at,
            "who": r.actor,
            "role": r.actor_role,
            "what": r.action,
            "target": r.target,
            "scope": r.scope,
            "rows": r.row_count,
            "detail": r.detail,
        }
        for r in rows
    ],
    columns=["when", "who", "role", "what", "target", "scope", "rows", "detail"],
)
table_with_downloads(admin, log, target="audit log", file_stem="audit-log", key="audit_log", codes=["role"])
