"""Reading the next group of files while the current one commits (``ingest_source(overlap=True)``), a group in
one transaction, ends exactly as the serial loop: the same staging rows in the same order, the same
quarantine, the same ledger, on a landing folder built to trip the in-order decisions.

Only the ``rowid`` values may differ: a row inserted and replaced within one group's transaction never takes
a position, where the serial loop leaves a gap. Nothing reads the values, only their order."""

from __future__ import annotations

import os
import threading

import duckdb
import pytest

import assets.ingestion.load as load
from domain.contracts import source

EMP = "employer_id,name,group_number\n"
FIRST = EMP + "E1,Acme,G-1\nE2,Zenith,G-2\nE3,,G-3\nE1,Acme again,G-1\n"
BAD = "id;name\n1;x\n"
REPLACE = EMP + "E2,Zenith Health,G-22\nE4,Delta,G-4\n"
HOSTILE = {
    "a.csv": FIRST.encode(),
    "b_copy.csv": FIRST.encode(),  # identical content in the same run: a duplicate, never read
    "c_bad.csv": BAD.encode(),  # a bad file between good ones
    "c_bad_copy.csv": BAD.encode(),  # the same content as a rejected file is a duplicate too
    "d_replace.csv": REPLACE.encode(),  # E2 of a.csv replaced by a later file
    "e_empty.csv": b"",
    "f_latin1.csv": (EMP + "E5,Caf\xe9 Ltd,G-5\n").encode("latin-1"),  # not UTF-8
    "g_last.csv": (EMP + "E1,Acme Corp,G-1\n").encode(),
    "h_binary.csv": EMP.encode() + b"E6,\x00\x01,G-6\n",
}
SECOND_RUN = {
    "i_same_as_d.csv": REPLACE.encode(),
    "j_new.csv": (EMP + "E7,Seventh,G-7\nE4,Delta Two,G-4\n").encode(),
    "k_empty.csv": b"",  # the content of the rejected e_empty.csv
}


def _land(folder, files: dict[str, bytes]) -> None:
    folder.mkdir(exist_ok=True)
    for i, (name, content) in enumerate(files.items(), start=1):
        (folder / name).write_bytes(content)
        os.utime(folder / name, ns=(i * 1000, i * 1000))  # the ledger keeps mtimes: the same in both runs


def _state(conn) -> dict[str, list]:
    return {
        "staging": conn.execute(
            "SELECT employer_id, name, group_number, _file_name, _row_number "
            "FROM staging.hp_employers ORDER BY rowid"
        ).fetchall(),
        "quarantine": conn.execute("SELECT * FROM ingest.quarantine ORDER BY ALL").fetchall(),
        "ledger": conn.execute(
            "SELECT * EXCLUDE (loaded_at) FROM ingest.ledger ORDER BY file_name, status"
        ).fetchall(),
    }


def _run(tmp_path, overlap: bool) -> tuple[dict, dict]:
    folder = tmp_path / f"landing-{overlap}" / "hp_employers"
    folder.parent.mkdir()
    _land(folder, HOSTILE)
    with duckdb.connect() as conn:
        load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=overlap)
        first = _state(conn)
        os.utime(folder / "a.csv", ns=(7, 7))  # touched, same bytes
        _land(folder, SECOND_RUN)
        load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=overlap)
        return first, _state(conn)


def _outcomes(state: dict) -> list[tuple]:
    return [(r[1], r[5], r[6], r[9], r[10], r[11], r[8]) for r in state["ledger"]]


@pytest.fixture
def workers(monkeypatch) -> set[str]:
    """Names of the threads that read and checked files ahead of their turn."""
    seen: set[str] = set()
    real = load._prepare

    def spying(*args):
        seen.add(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(load, "_prepare", spying)
    return seen


def test_overlapped_ingest_ends_as_the_serial_one_on_hostile_files(tmp_path, workers):
    serial = _run(tmp_path, overlap=False)
    assert workers == set()
    overlapped = _run(tmp_path, overlap=True)
    assert workers and threading.main_thread().name not in workers  # the files really were read ahead
    assert overlapped == serial

    first, second = overlapped
    # staging in rowid order: E1 and E2 of a.csv were replaced by later files
    assert first["staging"] == [
        ("E2", "Zenith Health", "G-22", "d_replace.csv", 1),
        ("E4", "Delta", "G-4", "d_replace.csv", 2),
        ("E5", "Café Ltd", "G-5", "f_latin1.csv", 1),
        ("E1", "Acme Corp", "G-1", "g_last.csv", 1),
    ]
    # (file, status, reason, rows read, loaded, quarantined, encoding)
    assert _outcomes(first) == [
        ("a.csv", "loaded", None, 4, 2, 2, "utf-8"),
        ("b_copy.csv", "duplicate", "same_content", 0, 0, 0, None),
        ("c_bad.csv", "rejected", "missing_columns", 0, 0, 0, None),
        ("c_bad_copy.csv", "duplicate", "same_content", 0, 0, 0, None),
        ("d_replace.csv", "loaded", None, 2, 2, 0, "utf-8"),
        ("e_empty.csv", "rejected", "empty_file", 0, 0, 0, None),
        ("f_latin1.csv", "loaded", None, 1, 1, 0, "latin-1"),
        ("g_last.csv", "loaded", None, 1, 1, 0, "utf-8"),
        ("h_binary.csv", "rejected", "not_text", 0, 0, 0, None),
    ]
    assert [(q[1], q[3], q[4], q[5]) for q in first["quarantine"]] == [
        ("a.csv", 3, "name", "missing_required"),
        ("a.csv", 4, "employer_id", "duplicate_key"),
    ]
    # the second run: a.csv touched (no new row), a copy of d_replace.csv, E4 replaced by j_new.csv
    assert second["staging"] == [
        ("E2", "Zenith Health", "G-22", "d_replace.csv", 1),
        ("E5", "Café Ltd", "G-5", "f_latin1.csv", 1),
        ("E1", "Acme Corp", "G-1", "g_last.csv", 1),
        ("E7", "Seventh", "G-7", "j_new.csv", 1),
        ("E4", "Delta Two", "G-4", "j_new.csv", 2),
    ]
    new_rows = [o for o in _outcomes(second) if o not in _outcomes(first)]
    assert new_rows == [
        ("i_same_as_d.csv", "duplicate", "same_content", 0, 0, 0, None),
        ("j_new.csv", "loaded", None, 2, 2, 0, "utf-8"),
        ("k_empty.csv", "duplicate", "same_content", 0, 0, 0, None),
    ]
    assert [r[4] for r in second["ledger"] if r[1] == "a.csv"] == [7]  # the touched file's new mtime


def _open_under(folder) -> list[str]:
    fds = "/proc/self/fd"
    targets = []
    for fd in os.listdir(fds):
        try:
            targets.append(os.readlink(f"{fds}/{fd}"))
        except OSError:
            continue
    return [t for t in targets if t.startswith(str(folder))]


def test_a_run_stopped_by_an_error_leaves_no_file_open_and_the_next_run_loads_all(tmp_path, monkeypatch):
    """An error outside any file's handling stops the run: the file read ahead is closed, the committing
    file's transaction rolled back, and the next run loads every file."""
    folder = tmp_path / "hp_employers"
    _land(folder, {n: c for n, c in HOSTILE.items() if n in ("a.csv", "d_replace.csv", "g_last.csv")})

    def broken(entry, conn=None):
        raise KeyboardInterrupt

    with duckdb.connect() as conn:
        ledger = load.Ledger(conn, "hp_employers")
        with monkeypatch.context() as patch:
            patch.setattr(load, "Ledger", lambda *_: ledger)
            patch.setattr(ledger, "record", broken)
            with pytest.raises(KeyboardInterrupt):
                load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=True)
        assert _open_under(folder) == []  # d_replace.csv was read ahead, then let go
        assert conn.execute("SELECT count(*) FROM staging.hp_employers").fetchone() == (0,)
        summary = load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=True)
        assert [(e.file_name, e.status) for e in summary.entries] == [
            ("a.csv", "loaded"),
            ("d_replace.csv", "loaded"),
            ("g_last.csv", "loaded"),
        ]
        assert conn.execute("SELECT employer_id FROM staging.hp_employers ORDER BY rowid").fetchall() == [
            ("E2",),
            ("E4",),
            ("E1",),
        ]


@pytest.mark.parametrize("overlap", [False, True])
def test_a_file_failing_midway_through_its_read_is_rejected_and_the_others_load(
    tmp_path, monkeypatch, overlap
):
    """A disk error while a file is read (EIO from the second chunk on) rejects that file, named with the
    error; the files before and after it still load, read ahead or not."""
    import errno

    from assets.ingestion import landing

    folder = tmp_path / "landing" / "hp_employers"
    folder.parent.mkdir()
    _land(
        folder,
        {
            "a.csv": (EMP + "E1,Acme,G-1\n").encode(),
            "b_disk_error.csv": (EMP + "E2,Zenith,G-2\n").encode(),
            "c.csv": (EMP + "E3,Delta,G-3\n").encode(),
        },
    )
    real = landing.OpenedFile.chunks

    def chunks(self):
        for i, chunk in enumerate(real(self)):
            if i == 0 and self.path.name == "b_disk_error.csv":
                yield chunk
                raise OSError(errno.EIO, "Input/output error")
            yield chunk

    monkeypatch.setattr(landing.OpenedFile, "chunks", chunks)
    monkeypatch.setattr(landing, "CHUNK", 16)  # several chunks per file, so the error comes midway
    with duckdb.connect() as conn:
        load.ingest_source(conn, source("hp_employers"), folder, tmp_path / "scratch", overlap=overlap)
        ledger = conn.execute(
            "SELECT file_name, status, reason, detail FROM ingest.ledger ORDER BY 1"
        ).fetchall()
        loaded = conn.execute("SELECT employer_id FROM staging.hp_employers ORDER BY rowid").fetchall()
    assert ledger == [
        ("a.csv", "loaded", None, None),
        (
            "b_disk_error.csv",
            "rejected",
            "reader_error",
            "b_disk_error.csv could not be read to the end (EIO)",
        ),
        ("c.csv", "loaded", None, None),
    ]
    assert loaded == [("E1",), ("E3",)]
