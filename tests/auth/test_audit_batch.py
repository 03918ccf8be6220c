"""``add_audits``: a batch of audit rows (a run's reminders) is chained exactly as one ``add_audit`` call per
row would chain it: same ids, same links, same hashes, and the log verifies."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from domain.settings import Settings
from reports.state import AuditEntry, dispose_engines, transaction
from reports.state.audit_chain import GENESIS, row_hash
from reports.state.audit_chain import verify as verify_chain
from reports.state.audit_log import AuditRow, add_audit, add_audits
from reports.state.db import get_engine

AT = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
ROWS = [
    AuditRow(f"due_in_30 person P{n} requirement R1", None, 1, "due 2026-07-31 via outbox") for n in (1, 2, 3)
]


def _log(settings: Settings) -> list[tuple]:
    with transaction(settings) as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        return [(e.id, e.target, e.prev_hash, e.row_hash) for e in rows]


def _first_row(settings: Settings) -> None:
    with transaction(settings) as s:
        add_audit(s, at=AT, actor="root", actor_role="admin", action="sign_in")


def test_a_batch_chains_like_one_row_at_a_time(tmp_path):
    one_by_one, batched = Settings(data_dir=tmp_path / "a"), Settings(data_dir=tmp_path / "b")
    try:
        for settings in (one_by_one, batched):
            _first_row(settings)
        with transaction(one_by_one) as s:
            for row in ROWS:
                add_audit(
                    s, at=AT, actor="reminders", actor_role=None, action="reminder_sent", target=row.target,
                    row_count=row.row_count, detail=row.detail,
                )  # fmt: skip
        with transaction(batched) as s:
            add_audits(s, at=AT, actor="reminders", actor_role=None, action="reminder_sent", rows=ROWS)
        log = _log(batched)
        assert log == _log(one_by_one)
        assert [(i, t) for i, t, _, _ in log] == [(1, None)] + [
            (n + 1, ROWS[n - 1].target) for n in (1, 2, 3)
        ]
        first_hash = row_hash(GENESIS, 1, AT, "root", "admin", "sign_in", None, None, None, None)
        second = row_hash(
            first_hash, 2, AT, "reminders", None, "reminder_sent", ROWS[0].target, None, 1, ROWS[0].detail
        )
        assert log[1][2:] == (first_hash, second)
        assert [prev for _, _, prev, _ in log[1:]] == [h for _, _, _, h in log[:-1]]
        report = verify_chain(get_engine(batched))
        assert (report.rows_checked, report.intact) == (4, True)
    finally:
        dispose_engines()


def test_an_empty_batch_writes_nothing(tmp_path):
    settings = Settings(data_dir=tmp_path)
    try:
        _first_row(settings)
        with transaction(settings) as s:
            add_audits(s, at=AT, actor="reminders", actor_role=None, action="reminder_sent", rows=[])
        assert [i for i, *_ in _log(settings)] == [1]
        assert verify_chain(get_engine(settings)).intact
    finally:
        dispose_engines()
