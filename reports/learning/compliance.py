"""Compliance reads for the dashboard (scoped to the principal) and the overdue / due-soon list exports.

The rollups are computed here from the scoped ``marts.compliance_status`` with the same domain function the
marts use, so an education manager's "by manager" view counts only the people of their own departments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from domain.learning.compliance import (
    DUE_SOON,
    OVERDUE,
    ROLLUP_KEYS,
    STATUSES,
    compliance_rollup,
    compliance_trend,
)
from domain.sql_files import load
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.learning.access import MARTS, PEOPLE, marts, scope_filter, scope_params
from reports.principal import Principal, Role
from reports.snapshot import in_marts, remembered

STATUS_TABLE = "compliance_status"
HISTORY_TABLE = "compliance_history"
#: Status counts per month-end and department, built from the history by the pipeline (the trend's source).
TREND_TABLE = "compliance_trend"
#: The name rows already read are registered under for a domain rule to run over (:func:`run_rule`).
ROWS = "compliance_rows"
#: Columns of the overdue / due-soon list, as (compliance_status column, heading).
LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("person_id", "Person ID"),
    ("last_name", "Last name"),
    ("first_name", "First name"),
    ("department", "Department"),
    ("job_role", "Job role"),
    ("manager_name", "Manager"),
    ("requirement_id", "Requirement"),
    ("course_title", "Course"),
    ("status", "Status"),
    ("due_date", "Due date"),
    ("days_overdue", "Days overdue"),
    ("last_completion", "Last completion"),
    ("expires_on", "Expires on"),
)


def _scoped(principal: Principal, conn):
    return scope_filter(principal, marts(conn).table(STATUS_TABLE, database=MARTS))


def query(conn, name: str, **params) -> pa.Table:
    """``reports/learning/<name>.sql`` with ``params`` bound, on the snapshot's marts."""
    with in_marts(conn):
        return conn.sql(load(__package__, name), params=params).to_arrow_table()


@cache
def _compiled_rule(
    rule: Callable[[ir.Table, str], ir.Table], schema: ibis.Schema, by: str
) -> tuple[str, pa.Schema]:
    """``rule(rows, by)`` over a table named :data:`ROWS` with ``schema``: its DuckDB SQL and the Arrow schema
    of its result. Compiled once per process, where an Ibis expression over the snapshot is compiled anew on
    every rerun (~15-30 ms each)."""
    expr = rule(ibis.table(schema, name=ROWS), by)
    return ibis.to_sql(expr, dialect="duckdb"), expr.schema().to_pyarrow()


def run_rule(conn, rule: Callable[[ir.Table, str], ir.Table], rows: pa.Table, by: str) -> pd.DataFrame:
    """A domain rule (``compliance_rollup``, ``compliance_trend``) over rows already read, run by DuckDB;
    the columns typed as the rule says, as Ibis types them (DuckDB sums whole numbers into 128 bits)."""
    sql, schema = _compiled_rule(rule, ibis.Schema.from_pyarrow(rows.schema), by)
    conn.register(ROWS, rows)
    try:
        return conn.sql(sql).to_arrow_table().cast(schema).to_pandas()
    finally:
        conn.unregister(ROWS)


def compliance_rows(
    principal: Principal,
    conn,
    *,
    statuses: Sequence[str] | None = None,
    department: str | None = None,
    person_id: str | None = None,
) -> pd.DataFrame:
    """The principal's rows of ``marts.compliance_status``, optionally narrowed; due date first, then
    person."""
    unknown = set(statuses or ()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown compliance status {sorted(unknown)}; expected one of {list(STATUSES)}")
    t = _scoped(principal, conn)
    if statuses:
        t = t.filter(t.status.isin(list(statuses)))
    if department is not None:
        t = t.filter(t.department == department)
    if person_id is not None:
        t = t.filter(t.person_id == person_id)
    t = t.order_by([ibis.asc("due_date", nulls_first=False), "person_id", "requirement_id"])
    return t.to_pyarrow().to_pandas()


def attention_list(principal: Principal, conn, *, department: str | None = None) -> pd.DataFrame:
    """Who is overdue or due soon (most overdue first), within the principal's scope."""
    rows = compliance_rows(principal, conn, statuses=(OVERDUE, DUE_SOON), department=department)
    return with_list_columns(rows, manager_names(conn, rows["manager_person_id"]))


def compliance_summary(principal: Principal, conn, by: str) -> pd.DataFrame:
    """Counts per status and % compliant by department, manager_person_id or job_role, over the principal's
    rows."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"compliance summary by {by!r}: expected one of {list(ROLLUP_KEYS)}")
    principal.require(Role.EDUCATION_MANAGER, Role.ADMIN)
    return compliance_rollup(_scoped(principal, conn), by).to_pyarrow().to_pandas()


def _has_mart(conn, name: str) -> bool:
    def read() -> bool:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [MARTS, name],
        ).fetchall()[0][0]
        return bool(found)

    return remembered(conn, ("has_mart", name), read)


def has_history(conn) -> bool:
    """Whether the snapshot holds ``marts.compliance_history`` (snapshots published before it existed do
    not)."""
    return _has_mart(conn, HISTORY_TABLE)


def _trend_counts(principal: Principal, conn) -> pa.Table | None:
    """The principal's rows of ``marts.compliance_trend`` (managers: their departments), or None without
    it; read once per connection (the date picker and the trend both ask)."""
    principal.require(Role.EDUCATION_MANAGER, Role.ADMIN)
    if not _has_mart(conn, TREND_TABLE):
        return None
    # Department-scoped like the history (the roles allowed here are scoped by department or not at all).
    departments = scope_params(principal)["departments"]
    return remembered(
        conn,
        ("compliance_trend_counts", principal),
        lambda: query(conn, "compliance_trend_counts", departments=departments),
    )


def month_ends(principal: Principal, conn) -> list:
    """The month-ends the principal's history holds, newest first (empty without the trend mart).

    Read from the small ``marts.compliance_trend``: it has a row for every month-end and department the
    history has rows for, so the answer is the same without scanning the history.
    """
    counts = _trend_counts(principal, conn)
    if counts is None:
        return []
    return sorted(set(counts.column("month_end").to_pylist()), reverse=True)


def trend(principal: Principal, conn, by: str = "department") -> pd.DataFrame:
    """% compliant per month-end and ``by`` value over the principal's departments (empty without the
    mart)."""
    counts = _trend_counts(principal, conn)
    if counts is None:
        return pd.DataFrame(columns=["month_end", by, "pct_compliant"])
    return run_rule(conn, compliance_trend, counts, by)


def manager_names(conn, person_ids) -> dict[str, str]:
    """person_id -> "First Last" for the given managers (names only, from the people directory)."""
    ids = sorted({p for p in person_ids if isinstance(p, str)})
    if not ids:
        return {}
    # The ids as one list parameter joined in, not an IN list of literals: a department's ~100 managers took
    # ~60 ms to compile that way (~250 ms for all 1,000), the join takes ~6 ms.
    rows = conn.execute(
        f"SELECT person_id, first_name, last_name FROM {MARTS}.{PEOPLE} "  # noqa: S608 (constant names)
        "WHERE person_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall()
    return {person_id: f"{first} {last}" for person_id, first, last in rows}


def with_list_columns(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Item rows plus ``manager_name`` (the manager's id when their name is unknown) and ``days_overdue``."""
    out = frame.copy()
    out["manager_name"] = [names.get(m, m) if isinstance(m, str) else None for m in out["manager_person_id"]]
    overdue = out["status"] == OVERDUE
    days = [
        (a - d).days if o else None for a, d, o in zip(out["as_of"], out["due_date"], overdue, strict=True)
    ]
    out["days_overdue"] = pd.array(days, dtype="Int64")
    return out


def filter_items(
    frame: pd.DataFrame,
    *,
    courses: Sequence[str] = (),
    job_roles: Sequence[str] = (),
    managers: Sequence[str] = (),
) -> pd.DataFrame:
    """Item rows (from :func:`with_list_columns`) narrowed to any of the courses, job roles and manager
    names."""
    keep = pd.Series(True, index=frame.index)
    for column, wanted in (("course_title", courses), ("job_role", job_roles), ("manager_name", managers)):
        if wanted:
            keep &= frame[column].isin(list(wanted))
    return frame[keep]


def by_person(items: pd.DataFrame) -> pd.DataFrame:
    """One row per person from overdue / due-soon item rows, most days overdue first, then soonest due.

    Columns: person_id, name, department, job_role, manager_name, days_overdue (the person's most overdue
    item; empty when nothing is overdue), overdue, due_soon (counts), next_due (earliest due date of a
    due-soon item), items (each item as "course: N days overdue" or "course: due YYYY-MM-DD", most overdue
    first).
    """
    columns = [
        "person_id",
        "name",
        "department",
        "job_role",
        "manager_name",
        "days_overdue",
        "overdue",
        "due_soon",
        "next_due",
        "items",
    ]
    if items.empty:
        return pd.DataFrame(columns=columns)
    # Each column as a plain list, gone through by position: a large department lists ~800 people, and a
    # pandas group per person cost seconds per rerun, iterating rows (text columns are Arrow-backed) ~25 ms.
    col = {
        c: items[c].tolist()
        for c in ("person_id", "last_name", "first_name", "department", "job_role", "manager_name")
        + ("course_title", "status", "due_date", "days_overdue")
    }
    # by person, then due date and course (empty ones last), ties in the rows' order
    order = sorted(
        range(len(items)),
        key=lambda i: (
            col["person_id"][i],
            *_last_if_empty(col["due_date"][i]),
            *_last_if_empty(col["course_title"][i]),
        ),
    )
    col = {c: [values[i] for i in order] for c, values in col.items()}
    people = col["person_id"]
    out: dict[str, list] = {c: [] for c in columns}
    start = 0
    while start < len(people):
        end = start + 1
        while end < len(people) and people[end] == people[start]:
            end += 1
        group = range(start, end)
        late = [i for i in group if col["status"][i] == OVERDUE]
        soon = [i for i in group if col["status"][i] == DUE_SOON]
        described = [f"{col['course_title'][i]}: {int(col['days_overdue'][i])} days overdue" for i in late]
        described += [f"{col['course_title'][i]}: due {col['due_date'][i].isoformat()}" for i in soon]
        for name, value in (
            ("person_id", people[start]),
            ("name", f"{col['last_name'][start]}, {col['first_name'][start]}"),
            ("department", col["department"][start]),
            ("job_role", col["job_role"][start]),
            ("manager_name", col["manager_name"][start]),
            ("days_overdue", max(int(col["days_overdue"][i]) for i in late) if late else None),
            ("overdue", len(late)),
            ("due_soon", len(soon)),
            ("next_due", min(col["due_date"][i] for i in soon) if soon else None),
            ("items", "; ".join(described)),
        ):
            out[name].append(value)
        start = end
    # most days overdue first, then soonest due, then person (one row each, so the order is complete)
    listed = sorted(
        range(len(out["person_id"])),
        key=lambda i: (
            *_last_if_empty(None if out["days_overdue"][i] is None else -out["days_overdue"][i]),
            *_last_if_empty(out["next_due"][i]),
            out["person_id"][i],
        ),
    )
    frame = pd.DataFrame({c: [out[c][i] for i in listed] for c in columns}, columns=columns)
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame


def _last_if_empty(value: object) -> tuple:
    """A sort key that puts an empty value (None, NaN, NA) after every other."""
    return (True, 0) if value is None or value is pd.NA or value != value else (False, value)


def _list_rows(frame: pd.DataFrame) -> list[list]:
    cols = [c for c, _ in LIST_COLUMNS]
    # None for missing values (pandas may hold NaN/NaT), so exports show an empty cell.
    # numpy scalars (an Int64 column's values) become plain Python numbers.
    return [
        [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
        for row in frame[cols].itertuples(index=False, name=None)
    ]


def attention_list_excel(frame: pd.DataFrame) -> bytes:
    """The overdue / due-soon list (a frame from :func:`attention_list`) as a one-sheet workbook."""
    return workbook_bytes([Sheet("Overdue and due soon", [h for _, h in LIST_COLUMNS], _list_rows(frame))])


def attention_list_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes([h for _, h in LIST_COLUMNS], _list_rows(frame))
