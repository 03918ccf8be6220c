"""Reads and audited exports for the staff pages and the education manager's Compliance page.

Thin additions over ``reports.learning.transcripts``, ``reports.learning.compliance`` and
``reports.ce.reads``: the as-of date(s) the published compliance mart holds, the compliance rollup and rows at
one of them, and the downloads, which render a file and write its audit row in one step (the dashboard hands
them to ``st.download_button`` as deferred data, so the file is built, and the export audited, only when
someone actually downloads it). Scope comes from ``reports.learning.access.scope_filter``: staff see only
themselves, a manager only their departments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from domain.learning.compliance import DUE_SOON, OVERDUE, ROLLUP_KEYS, STATUSES, compliance_rollup
from domain.settings import Settings
from reports import audit
from reports.learning import compliance
from reports.learning.access import scope_params
from reports.learning.transcripts import (
    Transcript,
    export_file_name,
    transcript_csv,
    transcript_excel,
    transcript_pdf,
)
from reports.principal import Principal, Role
from reports.snapshot import remembered

#: Download kinds of a transcript: (renderer, MIME type).
TRANSCRIPT_FORMATS = {
    "csv": (transcript_csv, "text/csv"),
    "pdf": (transcript_pdf, "application/pdf"),
    "xlsx": (transcript_excel, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
XLSX_MIME = TRANSCRIPT_FORMATS["xlsx"][1]


def compliance_as_of_dates(principal: Principal, conn) -> list[dt.date]:
    """The as-of dates of the principal's compliance rows, newest first (the pipeline publishes one per run).

    Read once per connection: a Compliance page run asks for them several times (the date picker, then each
    read at the picked date).
    """

    def read() -> list[dt.date]:
        dates = compliance.query(conn, "compliance_as_of_dates", **scope_params(principal))
        return dates.column("as_of").to_pylist()

    return list(remembered(conn, ("compliance_as_of_dates", principal), read))


def compliance_dates(principal: Principal, conn) -> list[dt.date]:
    """Every date the Compliance page offers, newest first: the run's as-of date(s), then each month-end of
    the history (a month-end equal to a run date is offered once, from the run's own rows)."""
    run_dates = compliance_as_of_dates(principal, conn)
    return sorted(set(run_dates) | set(compliance.month_ends(principal, conn)), reverse=True)


def _at(principal: Principal, conn, as_of: dt.date) -> pa.Table:
    """The principal's compliance rows as of ``as_of`` (``compliance_status``'s columns): the run's rows, or
    else that month-end of the history.

    Read once per connection and date: the page's summary, overdue list, people and drill-down all start
    from these rows (a department's ~10,000), each a quick step in memory instead of a query of its own.
    """

    def read() -> pa.Table:
        run_date = as_of in compliance_as_of_dates(principal, conn) or not compliance.has_history(conn)
        name = "compliance_status_at" if run_date else "compliance_history_at"
        return compliance.query(conn, name, as_of=as_of, **scope_params(principal))

    return remembered(conn, ("compliance_rows_at", principal, as_of), read)


def compliance_summary_at(principal: Principal, conn, by: str, as_of: dt.date) -> pd.DataFrame:
    """``reports.learning.compliance.compliance_summary`` at one date (the run's as-of date or a
    month-end)."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"compliance summary by {by!r}: expected one of {list(ROLLUP_KEYS)}")
    principal.require(Role.EDUCATION_MANAGER, Role.ADMIN)
    return compliance.run_rule(conn, compliance_rollup, _at(principal, conn, as_of), by)


#: Order of the rows a read returns: due date first (undated last), then person and requirement.
ROW_ORDER = [(c, "ascending", "at_end") for c in ("due_date", "person_id", "requirement_id")]


def compliance_rows_at(
    principal: Principal,
    conn,
    as_of: dt.date,
    *,
    statuses: Sequence[str] | None = None,
    person_id: str | None = None,
) -> pd.DataFrame:
    """The principal's rows at one date, optionally narrowed; due date first, then person and requirement."""
    unknown = set(statuses or ()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown compliance status {sorted(unknown)}; expected one of {list(STATUSES)}")
    rows = _at(principal, conn, as_of)
    if statuses:
        rows = rows.filter(pc.is_in(rows["status"], pa.array(list(statuses), pa.string())))
    if person_id is not None:
        rows = rows.filter(pc.equal(rows["person_id"], person_id))
    return rows.sort_by(ROW_ORDER).to_pandas()


def attention_items_at(principal: Principal, conn, as_of: dt.date) -> pd.DataFrame:
    """Overdue and due-soon rows at ``as_of`` with the manager's name and the days overdue."""
    rows = compliance_rows_at(principal, conn, as_of, statuses=(OVERDUE, DUE_SOON))
    return compliance.with_list_columns(rows, compliance.manager_names(conn, rows["manager_person_id"]))


def compliance_people_at(principal: Principal, conn, as_of: dt.date) -> pd.DataFrame:
    """The people (person_id, first_name, last_name, department) with compliance rows at ``as_of``, by
    name."""
    keys = ["person_id", "first_name", "last_name", "department"]
    people = _at(principal, conn, as_of).select(keys).group_by(keys).aggregate([])
    order = [(c, "ascending", "at_end") for c in ("last_name", "first_name", "person_id")]
    return people.sort_by(order).select(keys).to_pandas()


def transcript_download(
    principal: Principal, transcript: Transcript, kind: str, *, settings: Settings | None = None
) -> bytes:
    """The transcript as ``kind`` ("csv", "pdf" or "xlsx"), with its export written to the audit log."""
    render, _ = TRANSCRIPT_FORMATS[kind]
    data = render(transcript)
    audit.record(
        principal,
        "export",
        f"transcript person {transcript.person_id} {kind}",
        detail=transcript.range_label,
        row_count=len(transcript.items),
        settings=settings,
    )
    return data


def transcript_file_name(transcript: Transcript, kind: str) -> str:
    return export_file_name(transcript, kind)


def certificates_as_of(frame: pd.DataFrame) -> dt.date | None:
    """The as-of date of ``reports.ce.reads.certificates`` rows: available_until − days_left (same for every
    row)."""
    if frame.empty:
        return None
    first = frame.iloc[0]
    return first["available_until"] - dt.timedelta(days=int(first["days_left"]))
