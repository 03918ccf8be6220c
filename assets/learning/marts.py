"""Learning Center marts: the people directory, compliance status as of the run date, and its rollups.

Thin by design: read the staging tables through Ibis, call ``domain.learning.compliance``, write the mart with
``replace_table``. The SQL runs inside DuckDB; no rows pass through Python.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import ibis
import ibis.expr.types as ir
from dagster_duckdb import DuckDBResource

from assets.common import (
    MARTS,
    STAGING,
    RunSettings,
    mart_key,
    staging_key,
    write_ibis_mart,
    write_ibis_mart_in_parts,
)
from domain.learning.compliance import (
    STATUSES,
    TREND_KEYS,
    CompliancePolicy,
    completion_days,
    completion_spans,
    compliance_history,
    compliance_rollup,
    compliance_status,
    compliance_trend_counts,
    history_month_ends,
)
from domain.learning.identity import masked_lc_user_id

GROUP = "learning"
LC_SOURCES: tuple[str, ...] = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")
#: compliance_history's row order: by month-end first, which is what lets it be written in parts of months.
HISTORY_ORDER = "month_end, person_id, requirement_id"
#: compliance_history is written in parts of consecutive month-ends of at most this many rows (counted as
#: people x requirements per month-end, an upper bound). At the large scale (250k people, 14 requirements:
#: 3.5M a month) that is one month-end a part, measured to fit in DuckDB's 4 GB where all 36 at once did not;
#: medium (350k a month) writes 3 parts of up to 17. The parts share the completion spans (computed once, in a
#: temporary table); each part joins people, requirements and spans to its month-ends in one pass.
HISTORY_PART_ROWS = 6_000_000
#: The connection's temporary table of completion spans the history's parts share.
HISTORY_SPANS = "_compliance_history_spans"
#: Rollup mart name -> the compliance_status column it groups by.
ROLLUPS: dict[str, str] = {
    "compliance_by_department": "department",
    "compliance_by_manager": "manager_person_id",
    "compliance_by_job_role": "job_role",
}


def staging_tables(conn, names=LC_SOURCES) -> dict[str, ir.Table]:
    con = ibis.duckdb.from_connection(conn)
    return {n: con.table(n, database=STAGING) for n in names}


@dg.asset(key=mart_key("learning_people"), deps=[staging_key("lc_people")], group_name=GROUP)
def learning_people(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The HR roster for the read side: names, department, manager, and the lc_user_id masked (never
    whole)."""
    with duckdb.get_connection() as conn:
        people = staging_tables(conn, ("lc_people",))["lc_people"]
        expr = people.select(
            "person_id",
            "first_name",
            "last_name",
            "email",
            "department",
            "job_role",
            "manager_person_id",
            "hire_date",
            "termination_date",
            "is_student",
            lc_user_id_masked=masked_lc_user_id(people.lc_user_id),
        )
        rows = write_ibis_mart(conn, "learning_people", expr, "person_id")
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(
    key=mart_key("compliance_status"),
    deps=[staging_key(s) for s in LC_SOURCES],
    group_name=GROUP,
)
def compliance_status_mart(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    """Every active person's applicable requirements with due date and status as of the run's as-of date."""
    with duckdb.get_connection() as conn:
        t = staging_tables(conn)
        _, last_day = _completion_span(t["lc_completions"], run_settings.org_timezone)
        policy = CompliancePolicy(
            as_of=run_settings.as_of_within(last_day), org_timezone=run_settings.org_timezone
        )
        expr = compliance_status(
            t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"], policy
        )
        rows = write_ibis_mart(conn, "compliance_status", expr, "person_id, requirement_id")
        counts = dict(
            conn.execute(f"SELECT status, count(*) FROM {MARTS}.compliance_status GROUP BY status").fetchall()
        )
    return dg.MaterializeResult(
        metadata={"rows": rows, "as_of": policy.as_of.isoformat()} | {s: counts.get(s, 0) for s in STATUSES}
    )


def _completion_span(completions: ir.Table, org_timezone: str):
    """(first, last) completion day in org time; (None, None) with no completions."""
    row = completion_days(completions, org_timezone).to_pyarrow().to_pylist()[0]
    return row["first_day"], row["last_day"]


def compliance_history_parts(conn, run_settings: RunSettings) -> tuple[list[dt.date], list[ir.Table]]:
    """The history's month-ends (the most recent ``history_months`` the completions cover) and the Ibis
    expressions of its rows in parts of consecutive month-ends (:data:`HISTORY_PART_ROWS`), in month order.

    The parts share the completion spans, written once to the connection's temporary table
    :data:`HISTORY_SPANS` (dropped with the connection, or by :func:`drop_history_spans`)."""
    t = staging_tables(conn)
    first, last = _completion_span(t["lc_completions"], run_settings.org_timezone)
    days = history_month_ends(first, last, run_settings.history_months)
    if not days:
        return days, []
    # The month-ends replace the policy's date; the run's own date is not read here (not an as-of mart).
    policy = CompliancePolicy(last or dt.date.min, org_timezone=run_settings.org_timezone)
    spans_sql = ibis.to_sql(completion_spans(t["lc_completions"], policy.org_timezone), dialect="duckdb")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {HISTORY_SPANS} AS {spans_sql}")
    spans = ibis.duckdb.from_connection(conn).table(HISTORY_SPANS, database="temp.main")
    sources = (t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"])
    ((people, requirements),) = conn.execute(
        f"SELECT (SELECT count(*) FROM {STAGING}.lc_people), (SELECT count(*) FROM {STAGING}.lc_requirements)"
    ).fetchall()
    per_part = max(1, HISTORY_PART_ROWS // max(people * requirements, 1))
    groups = [days[i : i + per_part] for i in range(0, len(days), per_part)]
    return days, [compliance_history(*sources, group, policy, spans=spans) for group in groups]


def drop_history_spans(conn) -> None:
    conn.execute(f"DROP TABLE IF EXISTS temp.main.{HISTORY_SPANS}")


@dg.asset(
    key=mart_key("compliance_history"),
    deps=[staging_key(s) for s in LC_SOURCES],
    group_name=GROUP,
)
def compliance_history_mart(duckdb: DuckDBResource, run_settings: RunSettings) -> dg.MaterializeResult:
    """compliance_status as of every month-end the completions cover (the most recent ``history_months``)."""
    with duckdb.get_connection() as conn:
        days, months = compliance_history_parts(conn, run_settings)
        if months:
            # In parts of months: the same rows in the same order as all months at once, in the memory of
            # one part (``write_ibis_mart_in_parts``)
            try:
                rows = write_ibis_mart_in_parts(conn, "compliance_history", months, HISTORY_ORDER)
            finally:
                drop_history_spans(conn)
        else:  # no completions yet: an empty mart of the right shape
            t = staging_tables(conn)
            policy = CompliancePolicy(dt.date.min, org_timezone=run_settings.org_timezone)
            expr = (
                compliance_status(
                    t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"], policy
                )
                .mutate(month_end=ibis.literal(dt.date.min))
                .filter(ibis.literal(False))
            )
            expr = expr.select("month_end", *[c for c in expr.columns if c != "month_end"])
            rows = write_ibis_mart(conn, "compliance_history", expr, HISTORY_ORDER)
    return dg.MaterializeResult(
        metadata={
            "rows": rows,
            "month_ends": len(days),
            "last_month_end": days[-1].isoformat() if days else "",
        }
    )


@dg.asset(key=mart_key("compliance_trend"), deps=[mart_key("compliance_history")], group_name=GROUP)
def compliance_trend_mart(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Requirements per status per month-end and department, from compliance_history: the Compliance page's
    trend reads these few rows instead of aggregating the history on every rerun."""
    with duckdb.get_connection() as conn:
        history = ibis.duckdb.from_connection(conn).table("compliance_history", database=MARTS)
        keys = ["month_end", *TREND_KEYS]
        rows = write_ibis_mart(conn, "compliance_trend", compliance_trend_counts(history), keys)
    return dg.MaterializeResult(metadata={"rows": rows})


def _rollup_asset(name: str, by: str) -> dg.AssetsDefinition:
    @dg.asset(key=mart_key(name), deps=[mart_key("compliance_status")], group_name=GROUP)
    def _rollup(duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            status = ibis.duckdb.from_connection(conn).table("compliance_status", database=MARTS)
            rows = write_ibis_mart(conn, name, compliance_rollup(status, by), by)
        return dg.MaterializeResult(metadata={"rows": rows})

    _rollup.__doc__ = f"Counts per status and % compliant (not_due_yet left out) per {by}."
    return _rollup


compliance_rollups = [_rollup_asset(name, by) for name, by in ROLLUPS.items()]
compliance_by_department, compliance_by_manager, compliance_by_job_role = compliance_rollups
