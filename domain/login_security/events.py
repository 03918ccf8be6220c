"""Shared vocabulary of the login-security rules: event types, the per-account event order, scratch tables.

Every rule reads a table shaped like ``staging.auth_events`` (see ``domain.contracts``): ``occurred_at`` is a
UTC instant (offsets were applied at ingest). Events of one account are ordered by ``(occurred_at, event_id)``
so that two events in the same second still have one fixed order and reruns give identical marts.
"""

from __future__ import annotations

import itertools
from types import TracebackType

import ibis
import ibis.expr.types as ir
from ibis import _

LOGIN_SUCCESS = "login_success"
LOGIN_FAILURE = "login_failure"
RESET_REQUESTED = "password_reset_requested"
RESET_COMPLETED = "password_reset_completed"

#: An account is a username within one portal: the same username on two portals is two accounts.
ACCOUNT = ("portal", "username")
EVENT_ORDER = ("occurred_at", "event_id")


def running(*group: str) -> ibis.Window:
    """Running window (from the first event up to and including this one) over ``group`` in event order."""
    return ibis.window(group_by=list(group), order_by=list(EVENT_ORDER), rows=(None, 0))


def ordered(*group: str) -> ibis.Window:
    """Plain ordered window for lag/lead/row_number over ``group`` in event order."""
    return ibis.window(group_by=list(group), order_by=list(EVENT_ORDER))


def minutes(n: int) -> ir.IntervalScalar:
    return ibis.interval(minutes=n)


class Scratch:
    """Temporary tables for rules that need intermediate results more than once (the lock chain).

    Tables are created on the events' own backend (DuckDB here, Spark on the scale-out path) and dropped on
    exit, so a long-lived connection (the bench) does not collect them.
    """

    _ids = itertools.count()

    def __init__(self, backend: ibis.BaseBackend) -> None:
        self.backend = backend
        self._names: list[str] = []

    def keep(self, expr: ir.Table, label: str) -> ir.Table:
        name = f"_login_security_{label}_{next(self._ids)}"
        self._names.append(name)
        # Ibis cannot make a temporary table on Spark: a plain one there, dropped on exit all the same.
        kept = self.backend.create_table(name, expr, temp=self.backend.name != "pyspark")
        # Spark stores some results narrower than Ibis types them (row_number() is an int32 there): read the
        # table back with the expression's own schema, so later unions and joins line up on every backend.
        wanted = expr.schema()
        differ = {n: t for n, t in wanted.items() if kept.schema()[n] != t}
        return kept.cast(differ) if differ else kept

    def __enter__(self) -> Scratch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Ibis 12's drop_table renders "DROP TABLE IF EXISTS" without the name (on DuckDB 2.0 and on Spark),
        # so drop with plain SQL, quoted the backend's way; the names are this class's own.
        quote = "`" if self.backend.name == "pyspark" else '"'
        for name in reversed(self._names):
            self.backend.raw_sql(f"DROP TABLE IF EXISTS {quote}{name}{quote}")
        self._names.clear()


def islands(
    rows: ir.Table, group: tuple[str, ...], qualifies: ir.BooleanValue, reach: ir.IntervalScalar
) -> ir.GroupedTable:
    """Merge overlapping qualifying windows [t, t + reach] into islands; rows grouped by group + island.

    A qualifying row covers up to t + reach. A row belongs to an island when it lies within the running cover;
    a qualifying row beyond the previous cover opens a new island. Rows outside every cover are dropped.
    """
    cover = rows.mutate(
        own_cover=ibis.ifelse(qualifies, _.occurred_at + reach, ibis.null("timestamp"))
    ).mutate(cover=_.own_cover.max().over(running(*group)))
    flagged = cover.mutate(previous_cover=_.cover.lag().over(ordered(*group))).mutate(
        opens=(_.own_cover.notnull() & (_.previous_cover.isnull() | (_.occurred_at > _.previous_cover))).cast(
            "int64"
        )
    )
    numbered = flagged.mutate(island=_.opens.sum().over(running(*group)))
    return numbered.filter(_.cover.notnull() & (_.occurred_at <= _.cover)).group_by([*group, "island"])
