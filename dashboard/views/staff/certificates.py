"""My certificates: each CE certificate's status, the last day it can be downloaded ("available until"), and a
PDF download of each issued one.

Certificates stop being downloadable a set number of days after the activity (30 by default); those within
7 days of that day get a warning so they are saved in time; one not downloadable says why.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import audit_view, label, snapshot, table_with_downloads
from reports.ce import certificates
from reports.ce import reads as ce
from reports.learning import staff_views
from reports.principal import Role

who = session.require_role(Role.STAFF)
st.title("My certificates")

with snapshot() as conn:
    rows = ce.certificates(who, conn)

if rows.empty:
    st.info("You have no CE certificates in the published data.")
    st.stop()

as_of = staff_views.certificates_as_of(rows)
audit_view(who, f"certificates person {who.scope_value}", len(rows), detail=f"as of {as_of.isoformat()}")
st.caption(f"Status as of {as_of.isoformat()}, the date of the last data update.")

for cert in rows[rows["expiring_soon"]].itertuples():
    days = int(cert.days_left)
    left = "today is the last day" if days == 0 else f"{days} day{'s' if days > 1 else ''} left"
    todo = "Complete the evaluation and save it" if cert.status == "awaiting_evaluation" else "Save it now"
    st.warning(f"{cert.title}: downloadable until {cert.available_until.isoformat()} ({left}). {todo}.")

mine = pd.DataFrame(
    {
        "Activity": rows["title"],
        "Status": rows["status"],
        "Available until": rows["available_until"],
        "Days left": rows["days_left"].clip(lower=0),
    }
)
table_with_downloads(
    who,
    mine,
    target=f"certificates person {who.scope_value}",
    file_stem=f"certificates_{who.scope_value}_{as_of:%Y%m%d}",
    key="my_certificates",
    codes=["Status"],
)

st.subheader("Download")
settings = session.settings()
for cert in rows.itertuples():
    reason = certificates.unavailable_reason(cert.status, cert.available_until)
    name, button = st.columns([3, 2])
    name.markdown(f"**{cert.title}** · {label(cert.status)}")
    if reason:
        button.caption(reason)
        continue
    button.download_button(
        "Download certificate (PDF)",
        # Deferred: built, and the export audited, only when pressed.
        data=lambda event_id=cert.event_id: certificates.certificate_download(who, settings, event_id),
        file_name=certificates.certificate_file_name(cert.event_id),
        mime=certificates.PDF_MIME,
        on_click="ignore",
        key=f"certificate_{cert.event_id}",
    )
