"""The ACCME PARS learner upload and the CE Broker roster, read from the published CE marts.

Reads ``marts.ce_credits_awarded`` (accepted claims × credit type, credited to the surviving account),
``marts.ce_accounts`` (profiles) and ``marts.ce_account_survivors`` (which accounts were merged into which);
the rules are ``domain.ce.uploads``. Only the CE team and admins may export: the files carry birth days and
licence numbers. Text cells pass the formula guard (the CE team opens these files in Excel before uploading).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import ibis
import xlsxwriter

from domain.ce.uploads import (
    ERROR_HEADER,
    PARS_HEADER,
    PARTICIPATION,
    CeBrokerPolicy,
    Completion,
    Learner,
    Upload,
    ce_broker_upload,
    merged_learner,
    pars_upload,
    short_us_date,
)
from reports.exports.csv import csv_bytes
from reports.exports.guard import neutralise
from reports.learning.access import MARTS, marts
from reports.principal import Principal, Role

AWARDED = "ce_credits_awarded"
ACCOUNTS = "ce_accounts"
SURVIVORS = "ce_account_survivors"
LEARNER_FIELDS = ("first_name", "last_name", "degree", "birth_date", "license_state", "license_number", "npi")
TEXT_MIME = "text/tab-separated-values"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def _completions(conn, date_from: dt.date, date_to: dt.date) -> list[Completion]:
    t = marts(conn).table(AWARDED, database=MARTS)
    t = t.filter(
        (t.credit_type != PARTICIPATION)
        & (t.completed_on >= ibis.literal(date_from))
        & (t.completed_on <= ibis.literal(date_to))
    )
    t = t.select("account_id", "activity_id", "completed_on", "credit_type", "credits")
    return [Completion(**r) for r in t.to_pyarrow().to_pylist()]


def _has_table(conn, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [MARTS, name],
        ).fetchall()[0][0]
    )


def _learners(conn, account_ids: set[str]) -> dict[str, Learner]:
    """Each account's profile, with what it lacks filled from the accounts merged into it."""
    if not account_ids:
        return {}
    ids = sorted(account_ids)
    merged_into: dict[str, list[str]] = {}
    if _has_table(conn, SURVIVORS):
        s = marts(conn).table(SURVIVORS, database=MARTS)
        s = s.filter(s.survivor_account_id.isin(ids)).select("account_id", "survivor_account_id")
        for r in s.to_pyarrow().to_pylist():
            merged_into.setdefault(r["survivor_account_id"], []).append(r["account_id"])
    wanted = set(ids) | {a for merged in merged_into.values() for a in merged}
    a = marts(conn).table(ACCOUNTS, database=MARTS)
    a = a.filter(a.account_id.isin(sorted(wanted))).select("account_id", *LEARNER_FIELDS)
    profiles = {r["account_id"]: Learner(**r) for r in a.to_pyarrow().to_pylist()}
    return {
        account_id: merged_learner(
            profiles.get(account_id) or Learner(account_id),
            [profiles[m] for m in merged_into.get(account_id, ()) if m in profiles],
        )
        for account_id in ids
    }


def _read(principal: Principal, conn, date_from: dt.date, date_to: dt.date):
    principal.require(Role.CE_TEAM, Role.ADMIN)
    completions = _completions(conn, date_from, date_to)
    return completions, _learners(conn, {c.account_id for c in completions})


def pars_export(principal: Principal, conn, year: int) -> Upload:
    """The PARS learner rows and the errors for the credits completed in ``year``."""
    completions, learners = _read(principal, conn, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return pars_upload(completions, learners, year)


def ce_broker_export(
    principal: Principal, conn, date_from: dt.date, date_to: dt.date, policy: CeBrokerPolicy | None = None
) -> Upload:
    """The CE Broker roster rows and the errors for licensed learners' completions in the period."""
    if date_from > date_to:
        raise ValueError(f"date range: from {date_from} is after to {date_to}")
    completions, learners = _read(principal, conn, date_from, date_to)
    return ce_broker_upload(completions, learners, date_from, date_to, policy)


def pars_text(upload: Upload) -> bytes:
    """Tab-delimited text with ACCME's header row, CRLF line ends (what Excel's "Text (Tab delimited)"
    writes), UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(PARS_HEADER)
    for row in upload.rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue().encode("utf-8")


def _broker_cells(row: tuple) -> list:
    return [neutralise(v) if isinstance(v, str) else v for v in row]


def ce_broker_csv(upload: Upload) -> bytes:
    """The roster as CSV: no header row, the date as ``M/D/YYYY``, hours with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in upload.rows:
        cells = _broker_cells(row)
        writer.writerow(
            [
                short_us_date(v)
                if isinstance(v, dt.date)
                else format(v.quantize(Decimal("0.01")), "f")
                if isinstance(v, Decimal)
                else v
                for v in cells
            ]
        )
    return out.getvalue().encode("utf-8")


def ce_broker_xlsx(upload: Upload) -> bytes:
    """The roster as CE Broker's Excel upload: columns A–J from row 1, the date an Excel date
    (``m/d/yyyy``)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet("Roster")
    date = book.add_format({"num_format": "m/d/yyyy"})
    hours = book.add_format({"num_format": "0.00"})
    for r, row in enumerate(upload.rows):
        for c, value in enumerate(_broker_cells(row)):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), hours)
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def errors_csv(upload: Upload) -> bytes:
    """The rows PARS / CE Broker would reject, with the reason: ids only, no names or licence numbers."""
    return csv_bytes(ERROR_HEADER, [e.row() for e in upload.errors])


def ce_broker_bytes(upload: Upload, path: Path) -> bytes:
    """The roster in the form the file name asks for: ``.xlsx`` (Excel) or ``.csv``."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return ce_broker_xlsx(upload)
    if suffix == ".csv":
        return ce_broker_csv(upload)
    raise ValueError(
        f"{path.name}: a CE Broker roster is written as .xlsx (CE Broker's Excel upload) or .csv"
    )


def errors_path(out: Path) -> Path:
    """Where the error list of ``out`` goes: beside it, ``<name>.errors.csv``."""
    return out.with_name(f"{out.stem}.errors.csv")
