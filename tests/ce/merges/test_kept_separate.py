"""Keep separate: the pair is never clustered or proposed again, on every later run, until the decision is
undone."""

from __future__ import annotations

from assets.warehouse import open_warehouse
from reports.ce.duplicates import QueueView, duplicate_queue, keep_separate, undo_decision
from reports.state import DecisionAction, record_decision
from tests.ce.merges.world import CE_LEAD, build_warehouse, fetch, materialize


def _queue(path, settings, view=QueueView.UNDECIDED) -> list[tuple[str, tuple[str, ...]]]:
    with open_warehouse(path) as conn:
        return [
            (c.cluster_id, tuple(sorted(c.account_ids)))
            for c in duplicate_queue(CE_LEAD, conn, settings, view)
        ]


def _case(path, settings, cluster_id):
    with open_warehouse(path) as conn:
        [case] = [
            c for c in duplicate_queue(CE_LEAD, conn, settings, QueueView.ALL) if c.cluster_id == cluster_id
        ]
    return case


def _clustered(path) -> list[tuple[str, str]]:
    return fetch(path, "SELECT cluster_id, account_id FROM marts.duplicate_account_clusters ORDER BY 1, 2")


def test_a_kept_separate_cluster_is_not_proposed_again(tmp_path, settings):
    path = build_warehouse(tmp_path)
    materialize(path, settings, duplicates=True, ce=False)
    # third account first, then the classic pair
    assert _queue(path, settings) == [("CE3", ("CE3", "CE4", "CE5")), ("CE1", ("CE1", "CE2"))]

    # the CE team decides from the queue, as the dashboard does: the decision names the cluster only
    keep_separate(settings, CE_LEAD, _case(path, settings, "CE1"), reason="father and son, same name")
    for _ in range(2):  # the next run, and the one after (when cluster CE1 no longer exists to look up)
        materialize(path, settings, duplicates=True, ce=False)
        assert _clustered(path) == [("CE3", "CE3"), ("CE3", "CE4"), ("CE3", "CE5")]
        assert _queue(path, settings) == [("CE3", ("CE3", "CE4", "CE5"))]
        # the scored pair is still published, marked with the decision
        assert fetch(
            path,
            "SELECT account_id_l, account_id_r, decision FROM marts.duplicate_account_pairs "
            "WHERE account_id_l = 'CE1'",
        ) == [("CE1", "CE2", "kept_separate")]
        assert fetch(path, "SELECT action, account_ids, in_force FROM marts.ce_merge_decisions") == [
            ("keep_separate", ["CE1", "CE2"], True)
        ]


def test_undoing_keep_separate_proposes_the_pair_again(tmp_path, settings):
    path = build_warehouse(tmp_path)
    materialize(path, settings, duplicates=True, ce=False)
    case = _case(path, settings, "CE1")
    keep_separate(settings, CE_LEAD, case, reason="two people")
    materialize(path, settings, duplicates=True, ce=False)
    undo_decision(settings, CE_LEAD, case, reason="same person after all")
    materialize(path, settings, duplicates=True, ce=False)
    assert ("CE1", ("CE1", "CE2")) in _queue(path, settings)
    assert fetch(path, "SELECT decision FROM marts.duplicate_account_pairs WHERE account_id_l = 'CE1'") == [
        (None,)
    ]


def test_keeping_one_pair_of_a_third_account_apart_leaves_the_others_linked(tmp_path, settings):
    path = build_warehouse(tmp_path)
    record_decision(
        settings,
        CE_LEAD,
        DecisionAction.KEEP_SEPARATE,
        reason="CE5 is a colleague",
        account_id_l="CE5",
        account_id_r="CE4",
    )
    materialize(path, settings, duplicates=True, ce=False)
    # CE4-CE5 no longer links, but CE3 still matches both, so the three stay one cluster through CE3
    assert _clustered(path) == [
        ("CE1", "CE1"),
        ("CE1", "CE2"),
        ("CE3", "CE3"),
        ("CE3", "CE4"),
        ("CE3", "CE5"),
    ]
    assert fetch(
        path,
        "SELECT account_id_l, account_id_r FROM marts.duplicate_account_pairs WHERE decision = "
        "'kept_separate'",
    ) == [("CE4", "CE5")]
