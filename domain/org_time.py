"""The organisation's wall clock and calendar date of a naive-UTC timestamp, on DuckDB and on Spark.

Ingest stores every instant as a naive UTC timestamp; the rules date things in the organisation's zone
(America/Chicago by default, DST-aware). Ibis has no portable time-zone conversion, so this is the one
backend-specific spot: DuckDB's ``timezone(zone, timezone('UTC', ts))`` or Spark's ``from_utc_timestamp(ts,
zone)``, picked by the backend the expression is bound to. :func:`day_bounds_utc` goes the other way, for a
query filtering instants by org days: the days as the UTC instants they begin and end at.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

PYSPARK = "pyspark"


@ibis.udf.scalar.builtin(name="timezone")
def _utc_instant(zone: str, ts: dtypes.Timestamp()) -> dtypes.Timestamp(timezone="UTC"):  # type: ignore[empty-body]
    """DuckDB ``timezone('UTC', naive)``: read a naive timestamp as UTC."""


@ibis.udf.scalar.builtin(name="timezone")
def _wall_clock(zone: str, ts: dtypes.Timestamp(timezone="UTC")) -> dtypes.Timestamp():  # type: ignore[empty-body]
    """DuckDB ``timezone(zone, instant)``: the wall-clock time of an instant in ``zone``."""


@ibis.udf.scalar.builtin(name="from_utc_timestamp")
def _spark_from_utc_timestamp(ts: dtypes.Timestamp(), zone: str) -> dtypes.Timestamp():  # type: ignore[empty-body]
    """Spark's ``from_utc_timestamp``: a UTC wall clock to the wall clock in ``zone``."""


def backend_name(expr: ir.Expr) -> str:
    """The name of the backend ``expr`` is bound to; DuckDB for an unbound expression (the default)."""
    try:
        return expr._find_backend().name
    except Exception:  # an unbound expression (docs, SQL compiled by hand)
        return "duckdb"


def local_wall_clock(utc_ts: ir.TimestampValue, timezone: str) -> ir.TimestampValue:
    """The organisation's wall-clock time (naive) of a naive-UTC instant."""
    if backend_name(utc_ts) == PYSPARK:
        return _spark_from_utc_timestamp(utc_ts, timezone)
    return _wall_clock(timezone, _utc_instant("UTC", utc_ts))


def local_date(utc_ts: ir.TimestampValue, timezone: str) -> ir.DateValue:
    """The calendar date of a naive-UTC instant in ``timezone``."""
    return local_wall_clock(utc_ts, timezone).date()


def day_start_utc(day: dt.date, timezone: str) -> dt.datetime:
    """The first instant of ``day`` in ``timezone``, as a naive UTC timestamp (the warehouse's)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(timezone))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def day_bounds_utc(
    start: dt.date | None, end: dt.date | None, timezone: str
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The days ``start``..``end`` of ``timezone`` (inclusive; None: open-ended) as naive-UTC instants
    ``[since, until)``: an instant ``ts`` falls on one of the days when ``since <= ts < until``. A day of 23
    or 25 hours (the clocks changing) is covered exactly."""
    since = None if start is None else day_start_utc(start, timezone)
    until = None if end is None else day_start_utc(end + dt.timedelta(days=1), timezone)
    return since, until
