"""CSV export: UTF-8 text with a header row; text cells pass the formula-injection guard, numbers stay
numbers."""

from __future__ import annotations

import csv as _csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from reports.exports.guard import neutralise


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # never scientific notation, never float rounding
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(neutralise(value)) if isinstance(value, str) else str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = _csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """With a UTF-8 BOM so Excel opens non-ASCII names correctly."""
    return csv_text(header, rows).encode("utf-8-sig")
