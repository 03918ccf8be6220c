"""A person's transcript: read once into a :class:`Transcript`, then shown, and exported to PDF, Excel and
CSV.

Every rendering is built from the same value object (items and Decimal totals), so the numbers on screen, in
the PDF and in the workbook are identical by construction. A credit type reads as the accrediting body names
it ("AMA PRA Category 1 Credit", from ``reports.formatting``) on screen, in the PDF and in the workbook; the
workbook's and the CSV's item rows carry the code as well, in a last column "Credit type code".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

import pandas as pd

from domain.learning.transcripts import CE, EXTERNAL, LEARNING_CENTER, items_in_range, totals
from domain.settings import DEFAULT_ORG_TIMEZONE
from reports import formatting
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.exports.pdf import PdfColumn, table_pdf
from reports.learning.access import MARTS, marts, require_person
from reports.principal import Principal, Role

COMPLETE_HISTORY = "Complete History"
ITEMS_TABLE = "transcript_items"
SOURCE_LABELS = {LEARNING_CENTER: "Learning Center", CE: "CE", EXTERNAL: "External"}
ITEM_HEADER: tuple[str, ...] = ("Completed on", "Source", "Item", "Title", "Credit type", "Credits", "Hours")
#: The files' item columns: the page's, then the credit type's code for a program reading the file.
EXPORT_HEADER: tuple[str, ...] = (*ITEM_HEADER, "Credit type code")
#: The PDF's columns (A4 portrait: 190 mm between the margins); a long cell wraps.
PDF_COLUMNS: tuple[PdfColumn, ...] = (
    PdfColumn("Completed", 20),
    PdfColumn("Source", 27),
    PdfColumn("Item", 20),
    PdfColumn("Title", 60),
    PdfColumn("Credit type", 33),  # "AMA PRA Category 1 Credit" on two lines
    PdfColumn("Credits", 15, "R"),
    PdfColumn("Hours", 15, "R"),
)


@dataclass(frozen=True)
class TranscriptItem:
    completed_on: dt.date
    source: str
    item_id: str
    title: str
    credit_type: str | None
    credits: Decimal | None
    hours: Decimal | None

    @property
    def credit_label(self) -> str | None:
        return None if self.credit_type is None else formatting.label(self.credit_type)

    def row(self) -> tuple:
        src = SOURCE_LABELS.get(self.source, self.source)
        return (self.completed_on, src, self.item_id, self.title, self.credit_label, self.credits, self.hours)

    def export_row(self) -> tuple:
        return (*self.row(), self.credit_type)


@dataclass(frozen=True)
class Transcript:
    person_id: str
    name: str
    #: (label, value) pairs for the header; sensitive ids only ever masked (``••••••••1234``).
    ids: tuple[tuple[str, str], ...]
    date_from: dt.date | None
    date_to: dt.date | None
    generated_at: dt.datetime
    items: tuple[TranscriptItem, ...] = field(default=())

    @cached_property
    def _totals(self) -> tuple[Decimal, dict[str, Decimal]]:
        return totals((i.source, i.item_id, i.credit_type, i.credits, i.hours) for i in self.items)

    @property
    def total_hours(self) -> Decimal:
        return self._totals[0]

    @property
    def credits_by_type(self) -> dict[str, Decimal]:
        return self._totals[1]

    @property
    def range_label(self) -> str:
        if self.date_from is None and self.date_to is None:
            return COMPLETE_HISTORY
        start = self.date_from.isoformat() if self.date_from else "…"
        end = self.date_to.isoformat() if self.date_to else "…"
        return f"{start} to {end}"

    def item_rows(self) -> list[tuple]:
        return [i.row() for i in self.items]

    def export_rows(self) -> list[tuple]:
        return [i.export_row() for i in self.items]

    def total_rows(self) -> list[tuple[str, Decimal]]:
        """ "Hours", then "Credits: <credit type as words>" per credit type."""
        return [("Hours", self.total_hours)] + [
            (f"Credits: {formatting.label(t)}", c) for t, c in self.credits_by_type.items()
        ]

    def header_lines(self) -> list[tuple[str, str]]:
        stamp = self.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        return [("Name", self.name), *self.ids, ("Range", self.range_label), ("Generated at", stamp)]

    def items_frame(self) -> pd.DataFrame:
        """What the screen shows: the same rows and Decimals the exports use."""
        return pd.DataFrame(self.item_rows(), columns=list(ITEM_HEADER))

    def totals_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.total_rows(), columns=["Total", "Amount"])


def load_transcript(
    principal: Principal,
    conn,
    person_id: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    org_timezone: str = DEFAULT_ORG_TIMEZONE,
    now: dt.datetime | None = None,
) -> Transcript:
    """``person_id``'s transcript between two dates (both ``None`` = Complete History), newest first.

    ``conn`` is a DuckDB connection to the published snapshot. Raises NotPermitted when the person is outside
    the principal's scope (staff: only themselves). The lc_user_id is shown masked, and only to admins.
    """
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"date range: from {date_from} is after to {date_to}")
    person = require_person(principal, conn, person_id)
    table = marts(conn).table(ITEMS_TABLE, database=MARTS)
    rows = items_in_range(table, person_id, date_from, date_to).to_pyarrow().to_pylist()
    items = tuple(
        TranscriptItem(
            r["completed_on"],
            r["source"],
            r["item_id"],
            r["title"],
            r["credit_type"],
            r["credits"],
            r["hours"],
        )
        for r in rows
    )
    ids = [("Person ID", person_id)]
    if principal.role is Role.ADMIN:
        ids.append(("Learning Center ID", person["lc_user_id_masked"]))
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or person_id
    generated_at = (now or dt.datetime.now(ZoneInfo(org_timezone))).replace(microsecond=0)
    return Transcript(person_id, name, tuple(ids), date_from, date_to, generated_at, items)


def transcript_pdf(t: Transcript) -> bytes:
    return table_pdf("Transcript", t.header_lines(), PDF_COLUMNS, t.item_rows(), "Totals", t.total_rows())


def transcript_excel(t: Transcript) -> bytes:
    """Sheet "Items" (one row per item) and sheet "Totals" (totals, then who/when/range)."""
    about = [("", None), *t.header_lines()]
    return workbook_bytes(
        [
            Sheet("Items", EXPORT_HEADER, t.export_rows()),
            Sheet("Totals", ("Total", "Amount"), [*t.total_rows(), *about]),
        ]
    )


def transcript_csv(t: Transcript) -> bytes:
    return csv_bytes(EXPORT_HEADER, t.export_rows())


def export_file_name(t: Transcript, extension: str) -> str:
    span = "complete-history" if t.range_label == COMPLETE_HISTORY else t.range_label.replace(" to ", "_")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"transcript_{t.person_id}_{span}") + f".{extension}"
