"""Daily summary per portal: logins, failures, lockouts, resets and the SSO share of logins.

A day is the organisation's calendar day of occurred_at (``Settings.org_timezone``, DST-aware), like every
other date the dashboard shows: an admin filtering "March 4" sees the events of March 4 on their own clock,
and the trend agrees with the times listed in the tables. The warehouse keeps instants in UTC; the zone is
applied here, explicitly (:mod:`domain.org_time`), never taken from the machine or a Spark session. A day in
the zone has 23 or 25 hours when the clocks change.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from domain.login_security.events import LOGIN_FAILURE, LOGIN_SUCCESS, RESET_REQUESTED
from domain.org_time import local_date

COLUMNS = ("portal", "day", "logins", "failures", "lockouts", "resets", "sso_share", "sso_logins")


def login_daily_summary(events: ir.Table, lockouts: ir.Table, *, org_timezone: str) -> ir.Table:
    """``marts.login_daily_summary``: one row per portal and org day with any event, columns :data:`COLUMNS`.

    logins = successful logins; failures = failed logins; lockouts = locks that began that day (from
    ``marts.login_lockouts``); resets = reset requests; sso_share = share of that day's successful logins made
    with SSO (null on a day without logins), from sso_logins, also kept. ``org_timezone``: the IANA zone whose
    calendar days are counted (``Settings.org_timezone``).
    """
    is_login = _.event_type == LOGIN_SUCCESS
    daily = events.group_by(["portal", local_date(events.occurred_at, org_timezone).name("day")]).aggregate(
        logins=_.count(where=is_login),
        failures=_.count(where=_.event_type == LOGIN_FAILURE),
        resets=_.count(where=_.event_type == RESET_REQUESTED),
        sso_logins=_.count(where=is_login & (_.method == "sso")),
    )
    locked_on = local_date(lockouts.locked_at, org_timezone).name("day")
    locks = lockouts.group_by(["portal", locked_on]).aggregate(lockouts=_.count())
    joined = daily.left_join(locks, ["portal", "day"])
    return joined.select(
        "portal",
        "day",
        "logins",
        "failures",
        lockouts=ibis.coalesce(_.lockouts, 0).cast("int64"),
        resets=_.resets,
        sso_share=ibis.ifelse(_.logins > 0, (_.sso_logins / _.logins).round(4), ibis.null("float64")),
        # Kept so a share over several days is exact: sum(sso_logins) / sum(logins).
        sso_logins=_.sso_logins,
    ).order_by(["portal", "day"])
