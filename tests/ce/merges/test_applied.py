"""The CE team's decisions applied by the pipeline: a merge moves everything to the survivor, nothing is lost,
an undo gives back exactly the earlier marts, chains end at the final survivor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reports.state import DecisionAction, record_decision
from tests.ce.merges.world import CE_LEAD, build_warehouse, fetch, materialize, snapshot


def _merge(settings, survivor: str, *merged: str, cluster: str | None = None) -> int:
    return record_decision(
        settings,
        CE_LEAD,
        DecisionAction.MERGE,
        reason="same nurse: personal sign-up before SSO",
        cluster_id=cluster or min(survivor, *merged),
        survivor_account_id=survivor,
        merged_account_ids=merged,
    )


def _undo(settings, decision_id: int) -> int:
    return record_decision(
        settings,
        CE_LEAD,
        DecisionAction.UNDO,
        reason="merged the wrong account",
        undoes_decision_id=decision_id,
    )


def _transcript(path):
    return fetch(
        path,
        "SELECT source, item_id, completed_on, credit_type, credits, hours FROM marts.transcript_items "
        "WHERE person_id = 'P1' ORDER BY completed_on, item_id",
    )


def test_a_merge_moves_claims_credits_certificates_and_uploads_to_the_survivor(tmp_path, settings):
    path = build_warehouse(tmp_path)
    materialize(path, settings)
    # before: P1's transcript has its Learning Center course and CE1's own claim only
    assert _transcript(path) == [
        ("learning_center", "L1", dt.date(2026, 3, 1), None, None, Decimal("1.50")),
        ("ce", "E2", dt.date(2026, 3, 10), "ANCC", Decimal("2.00"), None),
    ]

    _merge(settings, "CE1", "CE2")
    materialize(path, settings)

    assert fetch(path, "SELECT * FROM marts.ce_account_survivors") == [("CE2", "CE1", 1)]
    # CE2's claim E1 and upload X1 now reach P1 through the survivor CE1
    assert _transcript(path) == [
        ("external", "X1", dt.date(2026, 2, 1), "ANCC", Decimal("0.50"), None),
        ("learning_center", "L1", dt.date(2026, 3, 1), None, None, Decimal("1.50")),
        ("ce", "E1", dt.date(2026, 3, 4), "ANCC", Decimal("1.25"), None),
        ("ce", "E2", dt.date(2026, 3, 10), "ANCC", Decimal("2.00"), None),
    ]
    # the claim is credited to the survivor but still says who claimed it
    assert fetch(
        path,
        "SELECT event_id, account_id, claimed_account_id, person_id, outcome FROM "
        "marts.ce_attendance_outcomes "
        "ORDER BY event_id",
    ) == [
        ("E1", "CE1", "CE2", "P1", "accepted"),
        ("E2", "CE1", "CE1", "P1", "accepted"),
        ("E3", "CE3", "CE3", None, "accepted"),
    ]
    assert fetch(path, "SELECT event_id, account_id FROM marts.ce_credits_awarded ORDER BY event_id") == [
        ("E1", "CE1"),
        ("E2", "CE1"),
        ("E3", "CE3"),
    ]
    # E1's certificate moves too, still issued: CE2's evaluation V1 counts for the survivor
    assert fetch(
        path,
        "SELECT event_id, account_id, person_id, status FROM marts.ce_certificates WHERE event_id = 'E1'",
    ) == [("E1", "CE1", "P1", "issued")]
    # CE1 ANCC 2026 = E1 1.25 + E2 2.00 + X1 0.50 = 3.75; no CE2 row left
    assert fetch(
        path, "SELECT account_id, credit_type, year, credits FROM marts.ce_credit_totals ORDER BY 1"
    ) == [
        ("CE1", "ANCC", 2026, Decimal("3.75")),
        ("CE3", "ANCC", 2026, Decimal("1.25")),
    ]
    assert fetch(path, "SELECT * FROM marts.ce_person_credit_totals") == [
        ("P1", "ANCC", 2026, Decimal("3.75"))
    ]


def test_a_merge_deletes_nothing_the_raw_rows_keep_their_account(tmp_path, settings):
    path = build_warehouse(tmp_path)
    _merge(settings, "CE1", "CE2")
    materialize(path, settings)
    assert fetch(path, "SELECT event_id, account_id FROM staging.ce_attendance ORDER BY 1") == [
        ("E1", "CE2"),
        ("E2", "CE1"),
        ("E3", "CE3"),
    ]
    assert fetch(path, "SELECT external_id, account_id FROM staging.ce_external_credits") == [("X1", "CE2")]
    assert fetch(path, "SELECT evaluation_id, account_id FROM staging.ce_evaluations ORDER BY 1") == [
        ("V1", "CE2"),
        ("V3", "CE3"),
    ]
    assert fetch(path, "SELECT count(*) FROM staging.ce_accounts WHERE account_id = 'CE2'") == [(1,)]
    # every claim is still in the outcomes mart: 3 in, 3 out
    assert fetch(path, "SELECT count(*) FROM marts.ce_attendance_outcomes") == [(3,)]


def test_an_undo_gives_back_exactly_the_earlier_marts(tmp_path, settings):
    path = build_warehouse(tmp_path)
    materialize(path, settings)
    before = snapshot(path)

    decision = _merge(settings, "CE1", "CE2")
    materialize(path, settings)
    merged = snapshot(path)
    # the merge changed every CE mart and the transcripts (E1 now belongs to CE1 / P1 everywhere)
    assert [m for m in before if merged[m] == before[m]] == []

    _undo(settings, decision)
    materialize(path, settings)
    assert snapshot(path) == before
    assert fetch(path, "SELECT count(*) FROM marts.ce_account_survivors") == [(0,)]
    assert fetch(
        path, "SELECT decision_id, action, in_force, undone_by_decision_id FROM marts.ce_merge_decisions"
    ) == [(1, "merge", False, 2), (2, "undo", False, None)]


def test_a_chain_of_merges_ends_at_the_final_survivor(tmp_path, settings):
    path = build_warehouse(tmp_path)
    first = _merge(settings, "CE5", "CE3", cluster="CE3")  # CE3 → CE5
    second = _merge(settings, "CE4", "CE5", cluster="CE3")  # then CE5 → CE4
    materialize(path, settings)
    assert fetch(path, "SELECT * FROM marts.ce_account_survivors") == [
        ("CE3", "CE4", first),
        ("CE5", "CE4", second),
    ]
    # CE3's claim lands on CE4, not on the merged-away CE5
    assert fetch(
        path, "SELECT account_id, claimed_account_id FROM marts.ce_attendance_outcomes WHERE event_id = 'E3'"
    ) == [("CE4", "CE3")]
    assert fetch(
        path,
        "SELECT account_id, credits FROM marts.ce_credit_totals WHERE account_id IN ('CE3', 'CE4', 'CE5')",
    ) == [("CE4", Decimal("1.25"))]
    # undoing the second merge sends CE3 back to CE5 only
    _undo(settings, second)
    materialize(path, settings)
    assert fetch(path, "SELECT account_id, survivor_account_id FROM marts.ce_account_survivors") == [
        ("CE3", "CE5")
    ]
    assert fetch(path, "SELECT account_id FROM marts.ce_attendance_outcomes WHERE event_id = 'E3'") == [
        ("CE5",)
    ]


def test_the_published_decisions_name_who_when_why_and_the_accounts(tmp_path, settings):
    path = build_warehouse(tmp_path)
    _merge(settings, "CE1", "CE2", cluster="CE1")
    materialize(path, settings, ce=False)
    [row] = fetch(
        path,
        "SELECT decision_id, action, decided_by, reason, cluster_id, survivor_account_id, "
        "merged_account_ids, "
        "account_ids, in_force, decided_at IS NOT NULL FROM marts.ce_merge_decisions",
    )
    assert row == (
        1,
        "merge",
        "ce.lead",
        "same nurse: personal sign-up before SSO",
        "CE1",
        "CE1",
        ["CE2"],
        ["CE1", "CE2"],
        True,
        True,
    )
    columns = [r[0] for r in fetch(path, "DESCRIBE marts.ce_merge_decisions")]
    # usernames only: no names, e-mails or phones of the accounts
    assert not {"email", "first_name", "last_name", "mobile_phone"} & set(columns)
