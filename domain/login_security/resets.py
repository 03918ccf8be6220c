"""Password resets: the outcome of every reset token, and reset loops (repeated requests without getting
in)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from domain.login_security.events import (
    ACCOUNT,
    EVENT_ORDER,
    LOGIN_SUCCESS,
    RESET_COMPLETED,
    RESET_REQUESTED,
    islands,
    minutes,
    running,
)
from domain.login_security.policy import LoginSecurityPolicy

OUTCOME_COLUMNS = (
    "portal",
    "username",
    "reset_token",
    "requested_at",
    "completed_at",
    "outcome",
    "minutes_to_complete",
    "completions",
)
LOOP_COLUMNS = ("portal", "username", "first_request_at", "requests", "last_request_at")

COMPLETED_IN_TIME = "completed_in_time"
#: Completed more than reset_token_minutes after the request: the portal should have refused the token.
COMPLETED_AFTER_EXPIRY = "completed_after_expiry"
#: Requested and never completed (in the data so far: a later completion turns it into
#: completed_after_expiry).
ABANDONED = "abandoned"
#: A completion whose token was never requested (on that portal): a token nobody issued is worth a look.
COMPLETED_WITHOUT_REQUEST = "completed_without_request"


def reset_outcomes(events: ir.Table, policy: LoginSecurityPolicy | None = None) -> ir.Table:
    """``marts.reset_outcomes``: one row per (portal, reset_token), columns :data:`OUTCOME_COLUMNS`.

    The first request and the first completion of a token decide; ``completions`` counts completions so a
    token used twice (they are single use) shows.
    """
    policy = policy or LoginSecurityPolicy()
    resets = events.filter(_.event_type.isin([RESET_REQUESTED, RESET_COMPLETED]) & _.reset_token.notnull())
    is_request = _.event_type == RESET_REQUESTED
    is_completion = _.event_type == RESET_COMPLETED
    tokens = resets.group_by(["portal", "reset_token"]).aggregate(
        requested_at=_.occurred_at.min(where=is_request),
        completed_at=_.occurred_at.min(where=is_completion),
        username=ibis.coalesce(_.username.min(where=is_request), _.username.min(where=is_completion)),
        completions=_.count(where=is_completion),
    )
    expires_at = _.requested_at + minutes(policy.reset_token_minutes)
    outcome = ibis.cases(
        (_.requested_at.isnull(), COMPLETED_WITHOUT_REQUEST),
        (_.completed_at.isnull(), ABANDONED),
        (_.completed_at > expires_at, COMPLETED_AFTER_EXPIRY),
        else_=COMPLETED_IN_TIME,
    )
    seconds = _.completed_at.epoch_seconds() - _.requested_at.epoch_seconds()
    return tokens.select(
        *OUTCOME_COLUMNS[:5],
        outcome=outcome,
        minutes_to_complete=(seconds / 60.0).round(2),
        completions=_.completions,
    ).order_by(["portal", "username", "requested_at", "reset_token"])


def reset_loops(events: ir.Table, policy: LoginSecurityPolicy | None = None) -> ir.Table:
    """``marts.reset_loops``: one row per loop, columns :data:`LOOP_COLUMNS`.

    A request *starts* a loop when at least loop_requests requests of the account (itself included) fall
    within loop_hours after it (inclusive) with no successful login in between. Overlapping qualifying windows
    are one loop: it runs from its first qualifying request to the last request covered by any of its windows.
    A success after the last request does not undo a loop that already happened; a success between requests
    breaks it.
    """
    policy = policy or LoginSecurityPolicy()
    relevant = events.filter(_.event_type.isin([RESET_REQUESTED, LOGIN_SUCCESS])).select(
        *ACCOUNT, *EVENT_ORDER, is_request=(_.event_type == RESET_REQUESTED).cast("int64")
    )
    # Cheap pre-filter: most accounts never request loop_requests resets at all. Counted over the requests
    # alone: the successful logins are most of the relevant events and count nothing here.
    busy = (
        events.filter(_.event_type == RESET_REQUESTED)
        .group_by(ACCOUNT)
        .aggregate(n=_.count())
        .filter(_.n >= policy.loop_requests)
        .select(*ACCOUNT)
    )
    relevant = relevant.semi_join(busy, list(ACCOUNT))
    # "run": successes so far; requests of one run have no successful login between them.
    requests = (
        relevant.mutate(run=(1 - _.is_request).sum().over(running(*ACCOUNT)).cast("int64"))
        .filter(_.is_request == 1)
        .mutate(epoch=_.occurred_at.epoch_seconds())
    )
    window = ibis.window(group_by=[*ACCOUNT, "run"], order_by="epoch", range=(0, policy.loop_hours * 3600))
    return (
        islands(
            requests.mutate(in_window=_.event_id.count().over(window)),
            group=(*ACCOUNT, "run"),
            qualifies=_.in_window >= policy.loop_requests,
            reach=ibis.interval(hours=policy.loop_hours),
        )
        .aggregate(
            first_request_at=_.occurred_at.min(),
            requests=_.event_id.count(),
            last_request_at=_.occurred_at.max(),
        )
        .select(*LOOP_COLUMNS)
        .order_by(["portal", "username", "first_request_at"])
    )
