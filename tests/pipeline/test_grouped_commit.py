"""Files read ahead commit in groups, one transaction per group of about ``GROUP_ROWS`` rows
(``assets.ingestion.load._ingest_group``): a crash loses a whole group or nothing of it, and a statement that
fails inside a group's transaction ends as the serial loop ends, one file rejected, the others loaded."""

from __future__ import annotations

import os

import duckdb
import pytest

import assets.ingestion.load as load
from domain.contracts import source

EMP = "employer_id,name,group_number\n"
FILES = {  # two rows each: with GROUP_ROWS = 5, a.csv-c.csv are one group and d.csv-e.csv the next
    "a.csv": EMP + "E1,Acme,G-1\nE2,Zenith,G-2\n",
    "b.csv": EMP + "E3,Delta,G-3\nE1,Acme Two,G-1\n",  # replaces E1 of a.csv, within the group
    "c_breaks.csv": EMP + "E4,Echo,G-4\nE5,,G-5\n",  # E5 quarantined (no name)
    "d.csv": EMP + "E6,Foxtrot,G-6\nE2,Zenith Two,G-2\n",  # replaces E2 of a.csv, from the next group
    "e.csv": EMP + "E7,Golf,G-7\nE8,Hotel,G-8\n",
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "GROUP_ROWS", 5)
    folder = tmp_path / "hp_employers"
    folder.mkdir()
    for i, (name, text) in enumerate(FILES.items(), start=1):
        (folder / name).write_text(text)
        os.utime(folder / name, ns=(i * 1000, i * 1000))
    return folder


def _state(conn) -> dict[str, list]:
    return {
        "staging": conn.execute(
            "SELECT employer_id, name, _file_name FROM staging.hp_employers ORDER BY rowid"
        ).fetchall(),
        "quarantine": conn.execute(
            "SELECT file_name, row_number, reason FROM ingest.quarantine ORDER BY ALL"
        ).fetchall(),
        "ledger": conn.execute(
            "SELECT file_name, status, reason, rows_read, rows_loaded, rows_quarantined FROM ingest.ledger "
            "ORDER BY file_name"
        ).fetchall(),
    }


def _ingest(conn, folder, tmp_path, overlap: bool) -> load.SourceSummary:
    return load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=overlap)


def _groups(monkeypatch) -> list[list[str]]:
    """The file names of each group as the run commits them."""
    seen: list[list[str]] = []
    real = load._ingest_group

    def spying(src, group, ledger, scratch):
        seen.append([r.landed.file_name for r in group])
        return real(src, group, ledger, scratch)

    monkeypatch.setattr(load, "_ingest_group", spying)
    return seen


def test_files_read_ahead_commit_in_groups_of_rows_and_end_as_the_serial_loop(folder, tmp_path, monkeypatch):
    with duckdb.connect() as conn:
        _ingest(conn, folder, tmp_path, overlap=False)
        serial = _state(conn)
    groups = _groups(monkeypatch)
    with duckdb.connect() as conn:
        summary = _ingest(conn, folder, tmp_path, overlap=True)
        grouped = _state(conn)
    assert groups == [["a.csv", "b.csv", "c_breaks.csv"], ["d.csv", "e.csv"]]
    assert grouped == serial
    assert [e.file_name for e in summary.entries] == list(FILES)
    assert grouped["staging"] == [
        ("E3", "Delta", "b.csv"),
        ("E1", "Acme Two", "b.csv"),
        ("E4", "Echo", "c_breaks.csv"),
        ("E6", "Foxtrot", "d.csv"),
        ("E2", "Zenith Two", "d.csv"),
        ("E7", "Golf", "e.csv"),
        ("E8", "Hotel", "e.csv"),
    ]
    assert grouped["quarantine"] == [("c_breaks.csv", 2, "missing_required")]


def test_a_crash_inside_a_group_loses_the_whole_group_and_the_next_run_loads_it(
    folder, tmp_path, monkeypatch
):
    """The third file's ledger row fails with an interrupt: the two files before it, in the same
    transaction, are not in the ledger or staging either, and a second run loads all five."""
    real = load.Ledger.record

    def crashing(self, entry, conn=None):
        if entry.file_name == "c_breaks.csv":
            raise KeyboardInterrupt
        return real(self, entry, conn)

    with duckdb.connect() as conn:
        with monkeypatch.context() as patch:
            patch.setattr(load.Ledger, "record", crashing)
            with pytest.raises(KeyboardInterrupt):
                _ingest(conn, folder, tmp_path, overlap=True)
        assert _state(conn) == {"staging": [], "quarantine": [], "ledger": []}
        summary = _ingest(conn, folder, tmp_path, overlap=True)
        assert [(e.file_name, e.status) for e in summary.entries] == [(n, "loaded") for n in FILES]


@pytest.fixture
def c_breaks_on_insert(monkeypatch) -> None:
    """c_breaks.csv's staging insert writes its rows, then fails (a disk full midway)."""
    real = load._upsert

    def failing(conn, src, file_name, checked_table):
        rows = real(conn, src, file_name, checked_table)
        if file_name == "c_breaks.csv":
            raise duckdb.IOException("disk full")
        return rows

    monkeypatch.setattr(load, "_upsert", failing)


@pytest.mark.usefixtures("c_breaks_on_insert")
def test_a_statement_failing_inside_a_group_rejects_that_file_only(folder, tmp_path):
    """c_breaks.csv's staging insert fails after a.csv and b.csv were written in the group's transaction: the
    group is rolled back and each file goes again alone. a.csv and b.csv load (the ledger forgot that it had
    recorded them, or they would read as already recorded and be lost), c_breaks.csv is rejected, exactly as
    the serial loop does with the same failure."""
    outcomes = {}
    for overlap in (False, True):
        with duckdb.connect() as conn:
            _ingest(conn, folder, tmp_path, overlap=overlap)
            outcomes[overlap] = _state(conn)
    assert outcomes[True] == outcomes[False]
    assert outcomes[True]["ledger"] == [
        ("a.csv", "loaded", None, 2, 2, 0),
        ("b.csv", "loaded", None, 2, 2, 0),
        ("c_breaks.csv", "rejected", "reader_error", 0, 0, 0),
        ("d.csv", "loaded", None, 2, 2, 0),
        ("e.csv", "loaded", None, 2, 2, 0),
    ]
    assert [r[0] for r in outcomes[True]["staging"]] == ["E3", "E1", "E6", "E2", "E7", "E8"]
    assert outcomes[True]["quarantine"] == []


@pytest.mark.usefixtures("c_breaks_on_insert")
def test_a_file_not_read_ahead_is_read_at_its_turn_outside_the_groups_transaction(
    folder, tmp_path, monkeypatch
):
    """The worker skips b.csv (its content reads as known), yet the ledger has never seen it: it must be read
    at its turn. Read inside the group's transaction, its checked table would vanish with the rollback that
    c_breaks.csv's failing insert causes, and b.csv would be rejected on the way back; read outside, it
    loads, and the outcome is the serial one."""
    import hashlib

    with duckdb.connect() as conn:
        _ingest(conn, folder, tmp_path, overlap=False)
        serial = _state(conn)
    skipped = hashlib.sha256(FILES["b.csv"].encode()).hexdigest()
    real = load.Ledger.known_contents
    monkeypatch.setattr(load.Ledger, "known_contents", lambda self: real(self) | {skipped})
    read_at_turn = []
    real_check = load._check

    def checking(cursor, src, opened, facts, name, *rest):
        if facts.sha256 == skipped:
            read_at_turn.append(name)
        return real_check(cursor, src, opened, facts, name, *rest)

    monkeypatch.setattr(load, "_check", checking)
    with duckdb.connect() as conn:
        _ingest(conn, folder, tmp_path, overlap=True)
        grouped = _state(conn)
    assert read_at_turn == ["b.csv"]
    assert grouped == serial
    assert ("b.csv", "loaded", None, 2, 2, 0) in grouped["ledger"]
