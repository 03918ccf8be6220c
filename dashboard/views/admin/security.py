"""Administration > Security: login-security findings of the four portals, with the daily trend per portal.

Reads ``reports.login_security.reads`` (admins only, refused for anyone else where the data is queried). Every
day and time is the organisation's, with the zone named: the day filters pick org calendar days, the daily
trend and the bursts per day count them (as ``marts.login_daily_summary`` does), and the tables show times in
the same zone, so a row listed under a filter is on a day the filter covers. Usernames and IP addresses of
the portals' users are shown, so each distinct view is audited.
"""

import pandas as pd
import streamlit as st

from dashboard import charts, session
from dashboard.components import audit_view, snapshot, table_with_downloads
from domain.contracts import PORTALS
from domain.login_security import (
    ABANDONED,
    COMPLETED_AFTER_EXPIRY,
    COMPLETED_IN_TIME,
    COMPLETED_WITHOUT_REQUEST,
)
from reports import formatting
from reports.login_security import reads as security
from reports.principal import Role

ALL_PORTALS = "All portals"
#: Daily-summary measures a chart can show: (column, label).
MEASURES = {
    "failures": "Failed logins",
    "lockouts": "Lockouts",
    "resets": "Reset requests",
    "logins": "Successful logins",
    "sso_share": "SSO share of logins",
}
#: Reset outcomes worth a look first: completions the portal should have refused, and abandoned links.
FINDINGS = [COMPLETED_AFTER_EXPIRY, ABANDONED]
OUTCOMES = [COMPLETED_AFTER_EXPIRY, ABANDONED, COMPLETED_WITHOUT_REQUEST, COMPLETED_IN_TIME]


def table(frame: pd.DataFrame, empty: str, name: str) -> None:
    """A finding table in the page's words, with its one-click exports (the typed values)."""
    if frame.empty:
        st.info(empty)
        return
    table_with_downloads(
        admin,
        frame,
        target=f"login security {name}",
        file_stem=f"login-security-{name}",
        key=f"sec_{name}",
        codes=["outcome"],
        percent_columns=["sso_share"],
    )


admin = session.require_role(Role.ADMIN)
zone = session.settings().org_timezone
st.title("Security")
st.caption(f"Days and times are in the organisation's time zone ({zone}).")

filters = st.columns(3)
portal_pick = filters[0].selectbox("Portal", [ALL_PORTALS, *PORTALS], key="sec_portal")
start = filters[1].date_input(f"From (day in {zone})", value=None, key="sec_from")
end = filters[2].date_input(f"To (day in {zone})", value=None, key="sec_to")
portal = None if portal_pick == ALL_PORTALS else portal_pick
if start and end and end < start:
    st.error(f"The range ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}).")
    st.stop()
narrow = {"portal": portal, "start": start, "end": end, "org_timezone": zone}

with snapshot() as conn:
    overview = security.security_overview(admin, conn, start=start, end=end, org_timezone=zone)
    daily = security.login_daily_summary(admin, conn, portal=portal, start=start, end=end)
    lockouts = security.login_lockouts(admin, conn, **narrow)
    outcomes_pick = st.multiselect(
        "Reset outcomes", OUTCOMES, default=FINDINGS, key="sec_outcomes", format_func=formatting.label
    )
    resets = security.reset_outcomes(admin, conn, **narrow, outcomes=tuple(outcomes_pick))
    loops = security.reset_loops(admin, conn, **narrow)
    stuffing = security.credential_stuffing(admin, conn, **narrow)

audit_view(
    admin,
    "login security",
    len(lockouts) + len(resets) + len(loops) + len(stuffing),
    detail=f"portal {portal_pick}; from {start or 'start'} to {end or 'end'}; outcomes "
    f"{', '.join(outcomes_pick)}",
)

st.subheader("Overview")
if portal is not None and not overview.empty:
    overview = overview[overview.portal == portal]
table(overview, "No login activity in this range.", "overview")

st.subheader("Over time")
measure = st.selectbox("Measure", list(MEASURES), format_func=MEASURES.get, key="sec_measure")
if daily.empty:
    st.info("No login activity in this range.")
else:
    # One line per portal over the org days.
    trend = daily.pivot_table(index="day", columns="portal", values=measure, aggfunc="sum").sort_index()
    charts.line_chart(trend, x_label=f"Day ({zone})", y_label=MEASURES[measure])

locks, links, loop_tab, stuffing_tab = st.tabs(
    [
        f"Lockouts ({len(lockouts)})",
        f"Reset links ({len(resets)})",
        f"Reset loops ({len(loops)})",
        f"Credential stuffing ({len(stuffing)})",
    ]
)
with locks:
    st.caption(
        "Each time an account reached five consecutive failed logins; attempts while locked are counted."
    )
    table(lockouts, "No lockouts in this range.", "lockouts")
with links:
    st.caption(
        "Completed after the link expired: a reset finished more than 30 minutes after the request (the "
        "portal "
        "should have refused it); requested, never used: the link was never opened."
    )
    table(resets, "No reset links with these outcomes in this range.", "resets")
with loop_tab:
    st.caption("Three or more reset requests for one account within 24 hours with no successful login after.")
    table(loops, "No reset loops in this range.", "loops")
with stuffing_tab:
    st.caption("One IP failing on 20 or more distinct usernames of a portal within 10 minutes.")
    if not stuffing.empty:
        # Each burst on the org day it began (window_start is a UTC instant, as the marts keep them).
        began = stuffing.window_start.dt.tz_localize("UTC").dt.tz_convert(zone).dt.date
        per_day = stuffing.assign(day=began).groupby("day").size().rename("bursts")
        charts.bar_chart(per_day, x_label=f"Day ({zone})", y_label="Bursts")
    table(stuffing, "No credential-stuffing bursts in this range.", "stuffing")
