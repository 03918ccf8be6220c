"""My certificates: each CE certificate's status and the last day it can be downloaded ("available until").

Certificates stop being downloadable a set number of days after the activity (30 by default); those within
7 days of that day get a warning so they are saved in time.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.page_support import audit_view, label, published_snapshot
from reports import ce, staff_views
from reports.principal import Role

who = session.require_role(Role.STAFF)
st.title("My certificates")

with published_snapshot() as conn:
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

st.dataframe(
    pd.DataFrame(
        {
            "Activity": rows["title"],
            "Status": rows["status"].map(label),
            "Available until": rows["available_until"],
            "Days left": rows["days_left"].clip(lower=0),
        }
    ),
    hide_index=True,
)
