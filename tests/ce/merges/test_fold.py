"""Folding the decision history into what the pipeline applies: merges, chains, undos, keep-separate pairs."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.ce.merges import decision_rows, fold_decisions, in_force, resolve_accounts
from reports.state import Decision, DecisionAction

AT = datetime(2026, 3, 21, 15, 30, tzinfo=UTC)


def merge(i: int, survivor: str, *merged: str, cluster: str | None = None) -> Decision:
    return Decision(
        i, DecisionAction.MERGE, "ce.lead", AT, "same person", cluster, None, None, survivor, merged, None
    )


def keep(i: int, cluster: str | None = None, pair: tuple[str, str] | None = None) -> Decision:
    left, right = pair or (None, None)
    return Decision(
        i, DecisionAction.KEEP_SEPARATE, "ce.lead", AT, "twins", cluster, left, right, None, (), None
    )


def undo(i: int, of: int) -> Decision:
    return Decision(i, DecisionAction.UNDO, "ce.lead", AT, "wrong call", None, None, None, None, (), of)


def test_a_merge_maps_each_merged_account_to_the_survivor():
    state = fold_decisions([merge(1, "CE4", "CE3", "CE5")])
    assert state.survivors == {"CE3": "CE4", "CE5": "CE4"}
    assert state.merged_by == {"CE3": 1, "CE5": 1}


def test_a_chain_resolves_to_the_final_survivor():
    # A→B (1), then B→C (2): A ends at C, and each row still says which merge moved that account
    state = fold_decisions([merge(1, "B", "A"), merge(2, "C", "B")])
    assert state.survivors == {"A": "C", "B": "C"}
    assert state.merged_by == {"A": 1, "B": 2}


def test_a_merge_into_an_account_already_merged_follows_the_chain():
    # A→B (1), then C merged into A (2): A no longer holds anything, so C's credits go where A's went
    assert fold_decisions([merge(1, "B", "A"), merge(2, "A", "C")]).survivors == {"A": "B", "C": "B"}


def test_undoing_the_latest_merge_gives_back_the_earlier_mapping():
    before = fold_decisions([merge(1, "B", "A")])
    after = fold_decisions([merge(1, "B", "A"), merge(2, "C", "B"), undo(3, of=2)])
    assert after.survivors == before.survivors == {"A": "B"}
    assert after.in_force == {1} and after.undone_by == {2: 3}


def test_undoing_an_older_merge_removes_only_that_merge():
    # A→B (1), B→C (2), undo 1: A is its own account again, B stays merged into C
    state = fold_decisions([merge(1, "B", "A"), merge(2, "C", "B"), undo(3, of=1)])
    assert state.survivors == {"B": "C"}


def test_a_later_merge_in_the_other_direction_wins_and_never_loops():
    # A→B (1), then B→A (2): the newer decision makes A the survivor; nobody is merged into themselves
    state = fold_decisions([merge(1, "B", "A"), merge(2, "A", "B")])
    assert state.survivors == {"B": "A"}
    assert state.superseded_cycles == (2,)
    # undoing the newer one restores the first
    assert fold_decisions([merge(1, "B", "A"), merge(2, "A", "B"), undo(3, of=2)]).survivors == {"A": "B"}


def test_keep_separate_on_a_cluster_keeps_every_pair_of_its_accounts_apart():
    history = [keep(1, cluster="CE3")]
    accounts = resolve_accounts(history, {"CE3": ["CE3", "CE4", "CE5"]})
    state = fold_decisions(history, accounts)
    # 3 accounts → 3 pairs
    assert state.kept_separate == {("CE3", "CE4"), ("CE3", "CE5"), ("CE4", "CE5")}
    assert state.survivors == {}


def test_keep_separate_on_a_pair_needs_no_cluster():
    state = fold_decisions([keep(1, pair=("CE7", "CE6"))])
    assert state.kept_separate == {("CE6", "CE7")}


def test_an_earlier_resolution_wins_over_a_cluster_that_reused_the_id():
    # Kept separate while cluster CE6 was {CE6, CE7}; later a new account CE8 forms a cluster CE6 = {CE6,
    # CE8}.
    accounts = resolve_accounts([keep(1, cluster="CE6")], {"CE6": ["CE6", "CE8"]}, {1: ["CE6", "CE7"]})
    assert accounts == {1: ("CE6", "CE7")}


def test_an_undone_keep_separate_keeps_nothing_apart():
    history = [keep(1, pair=("CE6", "CE7")), undo(2, of=1)]
    assert fold_decisions(history).kept_separate == frozenset()


def test_decision_rows_carry_who_when_why_and_the_accounts():
    history = [merge(1, "CE1", "CE2", cluster="CE1"), keep(2, cluster="CE6"), undo(3, of=1)]
    accounts = resolve_accounts(history, {"CE6": ["CE6", "CE7"]})
    rows = decision_rows(history, accounts, fold_decisions(history, accounts))
    assert [
        (r["decision_id"], r["action"], r["account_ids"], r["in_force"], r["undone_by_decision_id"])
        for r in rows
    ] == [
        (1, "merge", ["CE1", "CE2"], False, 3),
        (2, "keep_separate", ["CE6", "CE7"], True, None),
        (3, "undo", ["CE1", "CE2"], False, None),
    ]
    # stored as naive UTC like every warehouse timestamp
    assert rows[0]["decided_by"] == "ce.lead" and rows[0]["decided_at"] == datetime(2026, 3, 21, 15, 30)
    assert rows[0]["reason"] == "same person"


def test_the_decisions_in_force_are_those_not_undone_oldest_first_whatever_the_order_given():
    history = [undo(4, of=2), keep(3, pair=("X", "Y")), merge(2, "C", "B"), merge(1, "B", "A")]
    assert [d.id for d in in_force(history)] == [1, 3]
    assert fold_decisions(history).in_force == frozenset({1, 3})
