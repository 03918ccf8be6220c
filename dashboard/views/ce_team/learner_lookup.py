"""CE team > Learner lookup: find a learner by name, e-mail, phone or account id; their accounts (with
merges), transcript, claims with outcomes and reasons, and certificates, each table with its own CSV / Excel
download, and the whole record as one workbook. Views and exports are audited; the reads are in
``reports.ce.learner_lookup``. Codes read as words (credit types, channels, outcomes, reasons), empty cells as
"—", times in the organisation's zone; the downloads keep the codes, except the credit type (in words, with
its code beside it), and give times in the organisation's zone, named in the header.
"""

import streamlit as st

from dashboard import session
from dashboard.components import audit_view, guarded, snapshot, table_with_downloads
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


def table(frame, columns: dict[str, str], part: str, **formats) -> None:
    shown = frame[list(columns)].rename(columns=columns)
    table_with_downloads(
        who,
        shown,
        target=f"learner lookup {chosen} {part}",
        file_stem=f"learner_{chosen}_{part}",
        key=part,
        **formats,
    )


table(found.accounts, ACCOUNT_COLUMNS, "accounts")

st.subheader("Transcript")
table(
    found.transcript,
    TRANSCRIPT_COLUMNS,
    "transcript",
    codes=["Source", "Credit type"],
)

st.subheader("Claims")
# "Received" in the organisation's zone, named in each cell (the files: in the header)
table(
    found.claims, CLAIM_COLUMNS, "claims", codes=["Channel", "Outcome", "Reason"], time_columns=["Received"]
)

st.subheader("Certificates")
table(found.certificates, CERTIFICATE_COLUMNS, "certificates", codes=["Status"])

st.download_button(
    "Download this learner's record (Excel)",
    data=guarded(
        who,
        f"learner lookup {chosen} xlsx",
        lambda: learner_lookup.learner_download(who, found, settings=settings),
    ),
    file_name=f"learner_{chosen}.xlsx",
    mime=learner_lookup.XLSX_MIME,
    on_click="ignore",
    key="lookup_xlsx",
)
