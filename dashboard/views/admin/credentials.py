"""Administration > Credentials: the transcript credentials issued, and revoking one (with a reason, audited).

A revocation sets the credential's bit in the published status list at once; ``portalytics credential verify``
then refuses it. Credentials themselves are not kept here, only their id, person, item count and status.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import audit_view, download_buttons, show_table
from reports import formatting
from reports.credentials import status
from reports.principal import Role

admin = session.require_role(Role.ADMIN)
settings = session.settings()
st.title("Credentials")
st.caption(
    "Verifiable transcripts staff downloaded (Open Badges 3.0, signed with the organisation's key). "
    "Revoke one that was issued in error or whose content is no longer true."
)

OUTCOME = "cred_revoke_outcome"


def _revoke() -> None:
    # A callback runs before the page is drawn again, so the lists below already show the revocation.
    picked = st.session_state.get("cred_revoke_id")
    try:
        status.revoke(settings, admin, picked, st.session_state.get("cred_revoke_reason", ""))
    except (ValueError, LookupError) as exc:
        st.session_state[OUTCOME] = ("error", str(exc))
    else:
        st.session_state[OUTCOME] = (
            "success",
            f"Credential {picked} is revoked; the published status list says so.",
        )
        st.session_state["cred_revoke_reason"] = ""


person = st.text_input("Person ID (empty: everyone)", key="cred_person").strip()
st.subheader("Revoke a credential")
active = {
    r.credential_id: (
        f"{r.person_id} · {formatting.org_time(r.issued_at, settings.org_timezone)} · {r.credential_id}"
    )
    for r in status.issued(settings, admin, person or None)
    if r.revoked_at is None
}
picked = st.selectbox("Credential", list(active), format_func=active.get, key="cred_revoke_id")
st.text_input("Reason", key="cred_revoke_reason")
st.button("Revoke", key="cred_revoke", disabled=picked is None, on_click=_revoke)
outcome = st.session_state.pop(OUTCOME, None)
if outcome is not None:
    getattr(st, outcome[0])(outcome[1])

rows = status.issued(settings, admin, person or None)
audit_view(admin, f"transcript credentials {person or 'all'}", len(rows))
st.subheader("Issued")
issued = pd.DataFrame(
    [
        {
            "Person": r.person_id,
            "Issued": r.issued_at,
            "Issued by": r.issued_by,
            "Items": r.item_count,
            "Revoked": r.revoked_at,
            "Revoked by": r.revoked_by,
            "Reason": r.revocation_reason,
            "Credential": r.credential_id,
        }
        for r in rows
    ],
    columns=[
        "Person",
        "Issued",
        "Issued by",
        "Items",
        "Revoked",
        "Revoked by",
        "Reason",
        "Credential",
    ],
)
show_table(issued)
download_buttons(
    admin,
    issued,
    target=f"transcript credentials {person or 'all'}",
    file_stem=f"credentials_{person or 'all'}",
    key="cred_issued",
)
