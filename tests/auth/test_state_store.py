import pytest
from sqlalchemy import text

from reports import audit
from reports.principal import NotPermitted, Principal, Role
from reports.state import (
    DecisionAction,
    InvalidDecision,
    effective_decisions,
    get_engine,
    list_decisions,
    record_decision,
)
from tests.auth.conftest import ADMIN

CE = Principal("cleo", Role.CE_TEAM)


def test_sqlite_state_file_uses_wal_and_foreign_keys(settings):
    with get_engine(settings).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (settings.root / "state.sqlite").is_file()


def test_merge_keep_separate_and_undo_leave_only_decisions_in_force(settings, clock):
    merge = record_decision(
        settings,
        CE,
        "merge",
        reason="same person, personal e-mail",
        cluster_id="C7",
        survivor_account_id="A100",
        merged_account_ids=["A205"],
        clock=clock,
    )
    keep = record_decision(
        settings,
        CE,
        DecisionAction.KEEP_SEPARATE,
        reason="twins",
        account_id_l="A300",
        account_id_r="A301",
        clock=clock,
    )
    clock.advance(minutes=5)
    undo = record_decision(
        settings, CE, "undo", reason="wrong survivor", undoes_decision_id=merge, clock=clock
    )

    history = list_decisions(settings)
    assert [(d.id, d.action) for d in history] == [
        (merge, DecisionAction.MERGE),
        (keep, DecisionAction.KEEP_SEPARATE),
        (undo, DecisionAction.UNDO),
    ]
    assert history[2].cluster_id == "C7"  # an undo carries the cluster it reverses
    assert (history[0].decided_by, history[0].survivor_account_id, history[0].merged_account_ids) == (
        "cleo",
        "A100",
        ("A205",),
    )
    assert [d.id for d in effective_decisions(settings)] == [keep]
    assert [r.action for r in audit.read(settings, ADMIN)] == ["ce_undo", "ce_keep_separate", "ce_merge"]


def test_decisions_are_checked(settings, clock):
    with pytest.raises(NotPermitted):
        record_decision(
            settings, Principal("s", Role.STAFF, ("P1",)), "keep_separate", reason="x", cluster_id="C1"
        )
    with pytest.raises(InvalidDecision, match="reason"):
        record_decision(settings, CE, "keep_separate", reason=" ", cluster_id="C1")
    with pytest.raises(InvalidDecision, match="surviving account"):
        record_decision(settings, CE, "merge", reason="dup", cluster_id="C1", merged_account_ids=["A2"])
    first = record_decision(settings, CE, "keep_separate", reason="different people", cluster_id="C1")
    record_decision(settings, CE, "undo", reason="oops", undoes_decision_id=first)
    with pytest.raises(InvalidDecision, match="already undone"):
        record_decision(settings, CE, "undo", reason="again", undoes_decision_id=first)
