"""CE team > Learner lookup: find a learner by name, e-mail, phone or account id; their accounts (with merges),
transcript, claims with outcomes and reasons, and certificates, with an Excel export. Views and exports are
audited; the reads are in ``reports.ce.learner_lookup``.
"""

import streamlit as st

from dashboard import session
from dashboard.components import audit_view, label, snapshot
from reports.ce import learner_lookup
from reports.ce.learner_lookup import ACCOUNT_COLUMNS, CERTIFICATE_COLUMNS, CLAIM_COLUMNS, TRANSCRIPT_COLUMNS
from reports.principal import Role

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
settings = session.settings()
st.title("Learner lookup")

query = st.text_input(
    "Name, e-mail, phone or account id", key="lookup_query", placeholder="e.g. Lovelace, zoe@…, 555-123-0101"
)
if not query.strip():
    st.caption("Type a name, an e-mail address, a phone number or a CE account id.")
    st.stop()

with snapshot() as conn:
    matches = learner_lookup.search(who, conn, query)
    if matches.empty:
        st.info("No CE account matches.")
        st.stop()
    names = {
        m.account_id: f"{m.last_name}, {m.first_name} ({m.account_id}, {m.email or 'no e-mail'})"
        for m in matches.itertuples()
    }
    chosen = st.selectbox(
        f"{len(matches)} matching account(s)",
        list(names),
        format_func=names.__getitem__,
        key="lookup_account",
    )
    found = learner_lookup.learner(who, conn, chosen)

audit_view(who, f"learner lookup {chosen}", found.row_count, detail=f"accounts {','.join(found.account_ids)}")

st.subheader("Accounts")
if len(found.account_ids) > 1:
    st.caption("Accounts of the same learner: the same person, or merged by the CE team.")
accounts = found.accounts.copy()
accounts["merged_into"] = accounts["merged_into"].fillna("")
st.dataframe(accounts[list(ACCOUNT_COLUMNS)].rename(columns=ACCOUNT_COLUMNS), hide_index=True)

st.subheader("Transcript")
st.dataframe(found.transcript[list(TRANSCRIPT_COLUMNS)].rename(columns=TRANSCRIPT_COLUMNS), hide_index=True)

st.subheader("Claims")
claims = found.claims.copy()
claims["reason"] = claims["reason"].fillna("")
st.dataframe(claims[list(CLAIM_COLUMNS)].rename(columns=CLAIM_COLUMNS), hide_index=True)

st.subheader("Certificates")
certs = found.certificates.copy()
certs["status"] = certs["status"].map(label)
st.dataframe(certs[list(CERTIFICATE_COLUMNS)].rename(columns=CERTIFICATE_COLUMNS), hide_index=True)

st.download_button(
    "Download this learner's record (Excel)",
    data=lambda: learner_lookup.learner_download(who, found, settings=settings),
    file_name=f"learner_{chosen}.xlsx",
    mime=learner_lookup.XLSX_MIME,
    on_click="ignore",
    key="lookup_xlsx",
)
