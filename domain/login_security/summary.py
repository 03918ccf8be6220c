"""Daily summary per portal: logins, failures, lockouts, resets and the SSO share of logins.

A day is the UTC calendar date of occurred_at (the warehouse keeps instants in UTC). Four portals serve users
in several time zones, so a UTC day is the one boundary that means the same thing for all of them; the
dashboard says "UTC day" wherever it shows these numbers.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from domain.login_security.events import LOGIN_FAILURE, LOGIN_SUCCESS, RESET_REQUESTED

COLUMNS = ("portal", "day", "logins", "failures", "lockouts", "resets", "sso_share", "sso_logins")


def login_daily_summary(events: ir.Table, lockouts: ir.Table) -> ir.Table:
    """``marts.login_daily_summary``: one row per portal and UTC day with any event, columns :data:`COLUMNS`.

    logins = successful logins; failures = failed logins; lockouts = locks that began that day (from
    ``marts.login_lockouts``); resets = reset requests; sso_share = share of that day's successful logins made
    with SSO (null on a day without logins), from sso_logins, also kept.
    """
    is_login = _.event_type == LOGIN_SUCCESS
    daily = events.group_by(["portal", _.occurred_at.date().name("day")]).aggregate(
        logins=_.count(where=is_login),
        failures=_.count(where=_.event_type == LOGIN_FAILURE),
        resets=_.count(where=_.event_type == RESET_REQUESTED),
        sso_logins=_.count(where=is_login & (_.method == "sso")),
    )
    locks = lockouts.group_by(["portal", _.locked_at.date().name("day")]).aggregate(lockouts=_.count())
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
