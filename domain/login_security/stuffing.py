"""Credential stuffing: one IP failing on many distinct usernames in a short time (one row per burst)."""

from __future__ import annotations

import ibis.expr.types as ir
from ibis import _

from domain.login_security.events import LOGIN_FAILURE, Scratch, islands, minutes
from domain.login_security.policy import LoginSecurityPolicy

COLUMNS = ("ip", "portal", "window_start", "window_end", "distinct_usernames", "failures")
SOURCE = ("ip", "portal")


def credential_stuffing(events: ir.Table, policy: LoginSecurityPolicy | None = None) -> ir.Table:
    """``marts.credential_stuffing``: columns :data:`COLUMNS`, per (ip, portal) burst.

    A failure *starts* a burst window when the same IP's failures on that portal from it up to
    stuffing_minutes later (inclusive) name at least stuffing_usernames distinct usernames. Overlapping
    windows are one burst, from its first qualifying failure to the last failure any of its windows covers;
    distinct_usernames and failures count the whole burst. Usernames are per portal, so bursts are too.
    """
    policy = policy or LoginSecurityPolicy()
    failures = events.filter(_.event_type == LOGIN_FAILURE).select(
        *SOURCE, "username", "occurred_at", "event_id"
    )
    # Only sources that fail on enough distinct usernames over all time can burst: usually a handful of IPs.
    suspects = (
        failures.group_by(SOURCE)
        .aggregate(n=_.username.nunique())
        .filter(_.n >= policy.stuffing_usernames)
        .select(*SOURCE)
    )
    failures = failures.semi_join(suspects, list(SOURCE))
    later = failures.view()
    # Distinct counts over a sliding time window are not a window function on every engine, so each start is
    # joined to the failures of its own window (bounded: only suspects, only stuffing_minutes ahead).
    windows = (
        failures.join(
            later,
            [
                failures.ip == later.ip,
                failures.portal == later.portal,
                later.occurred_at >= failures.occurred_at,
                later.occurred_at <= failures.occurred_at + minutes(policy.stuffing_minutes),
            ],
        )
        .select(start_id=failures.event_id, seen=later.username)
        .group_by("start_id")
        .aggregate(window_usernames=_.seen.nunique())
    )
    starts = failures.left_join(windows, failures.event_id == windows.start_id).select(
        failures, "window_usernames"
    )
    bursts = islands(
        starts,
        group=SOURCE,
        qualifies=_.window_usernames >= policy.stuffing_usernames,
        reach=minutes(policy.stuffing_minutes),
    ).aggregate(
        window_start=_.occurred_at.min(),
        window_end=_.occurred_at.max(),
        distinct_usernames=_.username.nunique(),
        failures=_.event_id.count(),
    )
    return bursts.select(*COLUMNS).order_by(["window_start", "ip", "portal"])


def stuffing_after_new_events(
    previous: ir.Table,
    events: ir.Table,
    new_events: ir.Table,
    scratch: Scratch,
    policy: LoginSecurityPolicy | None = None,
) -> ir.Table:
    """``marts.credential_stuffing`` after ``new_events`` joined ``events`` (which already hold them), from
    the mart as it was (``previous``): the same rows as :func:`credential_stuffing` over all events.

    Only failures make bursts and a burst never crosses sources (ip, portal): a source without a new failure
    keeps its rows, and one with a new failure is recomputed over its whole history (a late failure can join
    or start any burst of its source).
    """
    touched = scratch.keep(
        new_events.filter(_.event_type == LOGIN_FAILURE).select(*SOURCE).distinct(), "touched_sources"
    )
    # kept in scratch first: the caller replaces the very table ``previous`` reads
    kept = scratch.keep(previous.anti_join(touched, list(SOURCE)).select(*COLUMNS), "kept_bursts")
    recomputed = credential_stuffing(events.semi_join(touched, list(SOURCE)), policy)
    return kept.union(recomputed.select(*COLUMNS)).order_by(["window_start", "ip", "portal"])
