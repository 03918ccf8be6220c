"""Continuing education > Credit totals: credits by credit type, per year and for any date range.

Credit types read as the accrediting bodies name them ("AMA PRA Category 1 Credit"), in the downloads too
(with the code in the column after). A date outside the data's years (or after today) is said next to its
field, with the date used instead.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import ce_uploads_panel, session
from dashboard.components import audit_view, date_in_range, export_buttons, show_table, snapshot
from reports.ce import reads as ce
from reports.ce.credit_exports import credit_totals_csv, credit_totals_excel
from reports.principal import Role

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
st.title("Credit totals")
st.caption(
    "CE credits (internal and uploaded external) by credit type; merged accounts count once, as their "
    "survivor."
)

ALL_YEARS = "All years"
COLUMNS = {"year": "Year", "credit_type": "Credit type", "credits": "Credits", "accounts": "Accounts"}

with snapshot() as conn:
    everything = ce.credit_totals_by_type(who, conn)
    years = sorted({int(y) for y in everything["year"]}, reverse=True)
    year = st.selectbox("Year", [ALL_YEARS, *years], key="credits_year")
    by_year = everything if year == ALL_YEARS else ce.credit_totals_by_type(who, conn, year=int(year))

    st.subheader("Per year")
    audit_view(who, "ce credit totals by year", len(by_year), signature=year)
    show_table(by_year.rename(columns=COLUMNS), codes=["Credit type"])
    export_buttons(
        who,
        key="credits_year",
        target="ce credit totals by year",
        file_stem=f"credit-totals-{year}".replace(" ", "-").lower(),
        make_csv=lambda: (credit_totals_csv(by_year), len(by_year)),
        make_excel=lambda: (credit_totals_excel(by_year), len(by_year)),
    )

    st.subheader("Date range")
    dates = st.columns(2)
    today = dt.datetime.now(ZoneInfo(session.settings().org_timezone)).date()
    # credits are earned from the first year with credits up to today
    earliest = dt.date(min(years), 1, 1) if years else None
    date_from = date_in_range(
        "Completed from",
        value=today.replace(month=1, day=1),
        key="credits_from",
        earliest=earliest,
        latest=today,
        container=dates[0],
    )
    date_to = date_in_range(
        "Completed to", value=today, key="credits_to", earliest=earliest, latest=today, container=dates[1]
    )
    if date_from and date_to and date_from > date_to:
        st.error("'Completed from' is after 'Completed to'.")
        st.stop()
    in_range = ce.credit_totals_in_range(who, conn, date_from, date_to)

span = (date_from, date_to)
audit_view(who, "ce credit totals in range", len(in_range), signature=span)
show_table(in_range.rename(columns=COLUMNS), codes=["Credit type"])
export_buttons(
    who,
    key="credits_range",
    target="ce credit totals in range",
    file_stem=f"credit-totals-{date_from or 'start'}-{date_to or 'end'}",
    make_csv=lambda: (credit_totals_csv(in_range), len(in_range)),
    make_excel=lambda: (credit_totals_excel(in_range), len(in_range)),
)

with snapshot() as conn:
    ce_uploads_panel.render(who, conn, years)
