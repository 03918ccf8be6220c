"""The audit log is append-only in the store and hash-chained: tampering with the SQLite file directly (after
dropping the triggers, as an intruder holding the file could) makes ``portalytics audit verify`` fail and name
the first bad row."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from pipelines.cli import app
from reports import audit
from reports.principal import Principal, Role
from reports.state import AuditEntry, dispose_engines, transaction
from reports.state.audit_chain import GENESIS, row_hash
from reports.state.audit_chain import verify as verify_chain
from reports.state.db import get_engine
from tests.auth.conftest import ADMIN

MANAGER = Principal("erin", Role.EDUCATION_MANAGER, ("ICU",))


@pytest.fixture
def five_rows(settings, clock, monkeypatch):
    """Rows 1-5 in the log (views of person 1..5); the CLI reads the same data directory."""
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(settings.data_dir))
    for n in range(1, 6):
        audit.record(MANAGER, "view", f"person P000{n}", row_count=n, settings=settings, clock=clock)
    return settings


def verify() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify"])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def tamper(settings, *statements: str) -> None:
    """Edit state.sqlite with the sqlite3 module, as someone holding the file would: triggers dropped
    first."""
    dispose_engines()
    with sqlite3.connect(settings.root / "state.sqlite") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DROP TRIGGER audit_chain_head_forward")
        for statement in statements:
            conn.execute(statement)


def test_an_untouched_log_verifies(five_rows):
    assert verify() == (0, "Audit log intact: 5 rows, every hash follows from the one before.\n")


def test_each_row_hashes_its_predecessor_and_its_own_fields(five_rows, clock):
    with transaction(five_rows) as s:
        one, two = s.get(AuditEntry, 1), s.get(AuditEntry, 2)
    assert one.prev_hash == GENESIS and two.prev_hash == one.row_hash
    expected = row_hash(
        GENESIS, 1, clock.now, "erin", "education_manager", "view", "person P0001", "ICU", 1, None
    )
    assert one.row_hash == expected


def test_the_store_refuses_to_change_or_delete_an_audit_row(five_rows):
    with (
        pytest.raises(IntegrityError, match="append-only: rows cannot be changed"),
        transaction(five_rows) as s,
    ):
        s.execute(update(AuditEntry).where(AuditEntry.id == 2).values(detail="nothing to see"))
    with (
        pytest.raises(IntegrityError, match="append-only: rows cannot be deleted"),
        transaction(five_rows) as s,
    ):
        s.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    dispose_engines()
    with sqlite3.connect(five_rows.root / "state.sqlite") as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM audit_log")
    assert verify()[0] == 0


def test_a_changed_row_is_named(five_rows):
    tamper(five_rows, "UPDATE audit_log SET row_count = 0 WHERE id = 3")
    code, output = verify()
    assert code == 1
    assert "Audit log BROKEN at row 3: row 3 was changed after it was written. 2 rows before it" in output


def test_a_changed_row_whose_hash_was_recomputed_breaks_the_next_link(five_rows):
    # the intruder also rewrites row 3's own hash: row 4 no longer follows from it
    tamper(five_rows, "UPDATE audit_log SET row_count = 0, row_hash = 'f00d' WHERE id = 3")
    code, output = verify()
    assert code == 1 and "BROKEN at row 3" in output


def test_a_deleted_row_is_named(five_rows):
    tamper(five_rows, "DELETE FROM audit_log WHERE id = 2")
    code, output = verify()
    assert code == 1
    assert "BROKEN at row 3: rows 2 to 2 before row 3 are missing" in output


def test_cutting_off_the_newest_rows_is_noticed(five_rows):
    tamper(five_rows, "DELETE FROM audit_log WHERE id >= 4")
    code, output = verify()
    assert code == 1
    assert (
        "BROKEN at row 4: the newest rows are missing: the log ends at row 3, the chain head records row 5"
        in output
    )


def test_parallel_writers_keep_one_unbroken_chain(settings):
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda n: audit.record(MANAGER, "view", f"person {n}", settings=settings),
                range(40),
            )
        )
    with transaction(settings) as s:
        ids = s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    assert ids == list(range(1, 41))
    report = verify_chain(get_engine(settings))
    assert report.intact and report.rows_checked == 40


def test_rows_written_before_the_chain_existed_are_chained_on_first_open(settings):
    # an audit_log as older versions made it: no hash columns, no head, no triggers
    settings.root.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.root / "state.sqlite") as conn:
        conn.execute(
            "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at DATETIME, actor VARCHAR(150), actor_role "
            "VARCHAR(32), "
            "action VARCHAR(48), target VARCHAR(300), scope VARCHAR(300), row_count INTEGER, detail TEXT)"
        )
        conn.execute(
            "INSERT INTO audit_log (id, at, actor, action) VALUES (1, '2025-01-06 14:00:00.000000', 'root', "
            "'user_add'),"
            " (2, '2025-01-06 14:01:00.000000', 'bob', 'sign_in')"
        )
    audit.record(MANAGER, "view", "person P0001", settings=settings)
    assert [r.id for r in audit.read(settings, ADMIN)] == [3, 2, 1]
    report = verify_chain(get_engine(settings))
    assert report.intact and report.rows_checked == 3
