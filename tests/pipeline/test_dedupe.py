"""A key repeated within one file: the earliest good row is loaded, every later good row is quarantined as
``duplicate_key``; staging keeps the file's row order (the checked rows are never re-sorted)."""

from __future__ import annotations

import duckdb
import pytest

from assets.ingestion.load import ingest_source
from checks.ingest_tables import ensure_ingest_tables
from domain.contracts import source


@pytest.fixture
def conn():
    with duckdb.connect() as conn:
        ensure_ingest_tables(conn)
        yield conn


def _ingest(conn, tmp_path, source_name: str, files: dict[str, str]) -> None:
    folder = tmp_path / source_name
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(",".join(source(source_name).column_names) + "\n" + text)
    ingest_source(conn, source(source_name), folder, tmp_path / "scratch")


def _quarantined(conn) -> list[tuple]:
    return conn.execute(
        'SELECT file_name, row_number, "column", reason FROM ingest.quarantine ORDER BY file_name, row_number'
    ).fetchall()


def test_the_first_good_row_of_a_key_wins_and_a_bad_row_does_not_count(conn, tmp_path):
    # E1: row 1 lacks its name (bad), row 2 is the first good one, rows 4 and 6 repeat it; E2 once.
    rows = "E1,,G-1\nE1,First,G-2\nE2,Other,G-3\nE1,Second,G-4\nE3,Third,G-5\nE1,Third,G-6\n"
    _ingest(conn, tmp_path, "hp_employers", {"a.csv": rows})
    assert _quarantined(conn) == [
        ("a.csv", 1, "name", "missing_required"),
        ("a.csv", 4, "employer_id", "duplicate_key"),
        ("a.csv", 6, "employer_id", "duplicate_key"),
    ]
    staged = conn.execute("SELECT employer_id, name, _row_number FROM staging.hp_employers").fetchall()
    assert staged == [("E1", "First", 2), ("E2", "Other", 3), ("E3", "Third", 5)]  # table order = file order
    ledger = conn.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM ingest.ledger").fetchall()
    assert ledger == [(6, 3, 3)]


def test_a_compound_key_repeats_only_when_every_part_repeats(conn, tmp_path):
    rows = "A1,CME,1.5,*\nA1,CNE,2,*\nA2,CME,1,*\nA1,CME,3,RN\n"
    _ingest(conn, tmp_path, "ce_activity_credits", {"c.csv": rows})
    assert _quarantined(conn) == [("c.csv", 4, "activity_id,credit_type", "duplicate_key")]
    staged = conn.execute(
        "SELECT activity_id, credit_type, credits, _row_number FROM staging.ce_activity_credits"
    )
    assert staged.fetchall() == [("A1", "CME", 1.5, 1), ("A1", "CNE", 2, 2), ("A2", "CME", 1, 3)]


def test_a_later_file_replaces_the_key_and_keeps_its_own_row_order(conn, tmp_path):
    _ingest(
        conn,
        tmp_path,
        "hp_employers",
        {"a.csv": "E1,One,G-1\nE2,Two,G-2\n", "b.csv": "E3,Three,G-3\nE1,Uno,G-9\nE1,Again,G-8\n"},
    )
    staged = conn.execute("SELECT employer_id, name, _file_name, _row_number FROM staging.hp_employers")
    assert staged.fetchall() == [
        ("E2", "Two", "a.csv", 2),
        ("E3", "Three", "b.csv", 1),
        ("E1", "Uno", "b.csv", 2),
    ]
    assert _quarantined(conn) == [("b.csv", 3, "employer_id", "duplicate_key")]
