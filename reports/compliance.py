"""Compliance reads for the dashboard (scoped to the principal) and the overdue / due-soon list exports.

The rollups are computed here from the scoped ``marts.compliance_status`` with the same domain function the marts
use, so an education manager's "by manager" view counts only the people of their own departments.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import pandas as pd

from domain.compliance import DUE_SOON, OVERDUE, ROLLUP_KEYS, STATUSES, compliance_rollup
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.learning_access import MARTS, marts, scope_filter
from reports.principal import Principal, Role

STATUS_TABLE = "compliance_status"
#: Columns of the overdue / due-soon list, as (compliance_status column, heading).
LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("person_id", "Person ID"),
    ("last_name", "Last name"),
    ("first_name", "First name"),
    ("department", "Department"),
    ("job_role", "Job role"),
    ("manager_person_id", "Manager"),
    ("requirement_id", "Requirement"),
    ("course_title", "Course"),
    ("status", "Status"),
    ("due_date", "Due date"),
    ("last_completion", "Last completion"),
    ("expires_on", "Expires on"),
)


def _scoped(principal: Principal, conn):
    return scope_filter(principal, marts(conn).table(STATUS_TABLE, database=MARTS))


def compliance_rows(
    principal: Principal,
    conn,
    *,
    statuses: Sequence[str] | None = None,
    department: str | None = None,
    person_id: str | None = None,
) -> pd.DataFrame:
    """The principal's rows of ``marts.compliance_status``, optionally narrowed; due date first, then person."""
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
    return compliance_rows(principal, conn, statuses=(OVERDUE, DUE_SOON), department=department)


def compliance_summary(principal: Principal, conn, by: str) -> pd.DataFrame:
    """Counts per status and % compliant by department, manager_person_id or job_role, over the principal's rows."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"compliance summary by {by!r}: expected one of {list(ROLLUP_KEYS)}")
    principal.require(Role.EDUCATION_MANAGER, Role.ADMIN)
    return compliance_rollup(_scoped(principal, conn), by).to_pyarrow().to_pandas()


def _list_rows(frame: pd.DataFrame) -> list[list]:
    cols = [c for c, _ in LIST_COLUMNS]
    # None for missing values (pandas may hold NaN/NaT), so exports show an empty cell.
    return [
        [None if pd.isna(v) else v for v in row] for row in frame[cols].itertuples(index=False, name=None)
    ]


def attention_list_excel(frame: pd.DataFrame) -> bytes:
    """The overdue / due-soon list (a frame from :func:`attention_list`) as a one-sheet workbook."""
    return workbook_bytes([Sheet("Overdue and due soon", [h for _, h in LIST_COLUMNS], _list_rows(frame))])


def attention_list_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes([h for _, h in LIST_COLUMNS], _list_rows(frame))
