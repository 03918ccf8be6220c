"""Any failure while reading or loading one file becomes its rejected ledger row; the other files still
load."""

from __future__ import annotations

import duckdb
import pytest

import assets.ingestion.load as load
from domain.contracts import source

EMP = "employer_id,name,group_number\n"


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "hp_employers"
    folder.mkdir()
    (folder / "a_breaks.csv").write_text(EMP + "E1,Leaky Value,G-1\n")
    (folder / "b_fine.csv").write_text(EMP + "E2,Fine,G-2\n")
    return folder


def _outcome(conn) -> tuple[list, list, list]:
    ledger = conn.execute(
        "SELECT file_name, status, reason, detail, rows_read FROM ingest.ledger ORDER BY file_name"
    ).fetchall()
    staged = conn.execute("SELECT employer_id FROM staging.hp_employers ORDER BY 1").fetchall()
    quarantined = conn.execute("SELECT file_name FROM ingest.quarantine").fetchall()
    return ledger, staged, quarantined


def test_an_engine_error_while_reading_is_a_rejected_file_without_its_message(folder, tmp_path, monkeypatch):
    real = load.read_file

    def failing(conn, src, opened, facts, name, scratch):
        if name == "a_breaks.csv":
            raise duckdb.InvalidInputException('Original Line: "E1,Leaky Value,G-1"')
        return real(conn, src, opened, facts, name, scratch)

    monkeypatch.setattr(load, "read_file", failing)
    with duckdb.connect() as conn:
        summary = load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch")
        ledger, staged, _ = _outcome(conn)
    assert [e.status for e in summary.entries] == ["rejected", "loaded"]
    name, status, reason, detail, rows_read = ledger[0]
    assert (name, status, reason, rows_read) == ("a_breaks.csv", "rejected", "reader_error", 0)
    assert "InvalidInputException" in detail and "Leaky" not in detail
    assert staged == [("E2",)]


def test_a_failure_inside_the_files_transaction_rolls_it_back_and_rejects_it(folder, tmp_path, monkeypatch):
    real = load._upsert

    def failing(conn, src, file_name, checked_table):
        if file_name == "a_breaks.csv":
            real(
                conn, src, file_name, checked_table
            )  # rows are in staging, then the write fails: all must go
            raise OSError("disk full")
        return real(conn, src, file_name, checked_table)

    monkeypatch.setattr(load, "_upsert", failing)
    with duckdb.connect() as conn:
        load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch")
        ledger, staged, quarantined = _outcome(conn)
    assert [row[:3] for row in ledger] == [
        ("a_breaks.csv", "rejected", "reader_error"),
        ("b_fine.csv", "loaded", None),
    ]
    assert staged == [("E2",)] and quarantined == []
