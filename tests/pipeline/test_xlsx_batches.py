"""An xlsx sheet is loaded in batches (a 600k-row export never sits in Python lists at once): the raw table
holds every row in order, with the same row numbers, whatever the batch size."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl
import pytest

from assets.ingestion import readers
from assets.ingestion.landing import OpenedFile
from assets.ingestion.readers import RAW, FileRejected
from domain.contracts import FileReason


def _workbook(path: Path, cells: dict[str, object]) -> Path:
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def _raw(path: Path) -> tuple[list[str], list[tuple]]:
    """The header and the raw table's rows (``_row_number`` as the reader numbers them, then the cells)."""
    conn = duckdb.connect()
    with OpenedFile(path) as opened:
        header = readers._load_xlsx(conn, opened, path.name)
    return header, conn.execute(f"SELECT rowid + 1, * FROM {RAW} ORDER BY rowid").fetchall()


@pytest.mark.parametrize("batch", [1, 2, 3, 50_000])
def test_rows_blank_rows_inside_and_trailing_blanks_whatever_the_batch(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(readers, "XLSX_BATCH_ROWS", batch)
    path = _workbook(
        tmp_path / "accounts.xlsx",
        {
            "A1": "account_id", "B1": "email",
            "A2": "CE1", "B2": 12345.0,
            # row 3 blank: kept (a row with values follows), so CE2 stays data row 3
            "A4": "CE2",
            "B5": "   ",  # only blanks from here on: formatting, dropped
            "A7": None,
        },
    )  # fmt: skip
    header, rows = _raw(path)
    assert header == ["account_id", "email"]
    assert rows == [(1, "CE1", "12345"), (2, "", ""), (3, "CE2", "")]


def test_a_header_starting_in_column_c_keeps_the_leading_empty_columns(tmp_path):
    path = _workbook(tmp_path / "shifted.xlsx", {"C1": "account_id", "C2": "CE9"})
    header, rows = _raw(path)
    assert header == ["", "", "account_id"]
    assert rows == [(1, "", "", "CE9")]


def test_a_sheet_of_blank_cells_is_an_empty_file(tmp_path):
    path = _workbook(tmp_path / "blank.xlsx", {"A1": "  ", "B3": ""})
    with pytest.raises(FileRejected) as rejected:
        _raw(path)
    assert rejected.value.reason is FileReason.EMPTY_FILE
