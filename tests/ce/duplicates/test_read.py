"""The duplicate queue's read layer: clusters side by side, decisions and their "applied" state, scope,
exports."""

from __future__ import annotations

import csv
import io
import sys
import time

import duckdb
import pytest
from sqlalchemy import select

from assets.ce.accounts_mart import COLUMNS as CE_ACCOUNTS_COLUMNS
from assets.ce.merges import DECISIONS_SCHEMA, SURVIVORS_SCHEMA
from domain.ce.duplicates.detect import CLUSTER_COLUMNS, PAIR_COLUMNS
from domain.settings import Settings
from reports.ce import duplicate_tables as tables
from reports.ce import duplicates as dup
from reports.materialize_launch import AlreadyRunning, materialize_running, start_materialize
from reports.principal import NotPermitted, Principal, Role
from reports.state import (
    AuditEntry,
    DecisionAction,
    InvalidDecision,
    dispose_engines,
    record_decision,
    transaction,
)
from tests.ce.duplicates.snapshot import CLUSTERS, EVIDENCE_CE1_CE2, HOSTILE, materialized, publish

CE_TEAM = Principal("cora", Role.CE_TEAM)
ADMIN = Principal("root", Role.ADMIN)
STAFF = Principal("pat", Role.STAFF, ("P1",))
EMPLOYER = Principal("emma", Role.EMPLOYER, ("EMP1",))


@pytest.fixture
def settings(tmp_path):
    yield Settings(data_dir=tmp_path)
    dispose_engines()


@pytest.fixture
def snapshot(settings):
    """Publish the hand-built snapshot; ``snapshot(**kwargs)`` publishes another one (e.g. with merges
    applied)."""
    names = iter(f"snapshot-{i}.duckdb" for i in range(1, 10))

    def open_new(**kwargs) -> duckdb.DuckDBPyConnection:
        path = publish(settings.root, next(names), **kwargs)
        return duckdb.connect(str(path), read_only=True)

    return open_new


def queue(conn, settings, view=dup.QueueView.ALL, who=CE_TEAM):
    return {c.cluster_id: c for c in dup.duplicate_queue(who, conn, settings, view)}


def audit_actions(settings) -> list[tuple[str, str, str | None]]:
    with transaction(settings) as s:
        return [(e.actor, e.action, e.target) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_hand_built_marts_have_the_producers_columns(snapshot, settings):
    conn = snapshot()

    def columns(table):
        return [r[0] for r in conn.execute(f"DESCRIBE marts.{table}").fetchall()]

    assert columns("duplicate_account_clusters") == list(CLUSTER_COLUMNS)
    assert columns("duplicate_account_pairs") == list(PAIR_COLUMNS)
    assert columns("ce_accounts") == list(CE_ACCOUNTS_COLUMNS)
    applied = snapshot(**materialized(settings))
    assert [
        r[0] for r in applied.execute("DESCRIBE marts.ce_merge_decisions").fetchall()
    ] == DECISIONS_SCHEMA.names
    assert [
        r[0] for r in applied.execute("DESCRIBE marts.ce_account_survivors").fetchall()
    ] == SURVIVORS_SCHEMA.names


def test_third_accounts_come_first_with_the_survivor_first_and_the_evidence_per_pair(snapshot, settings):
    cases = dup.duplicate_queue(CE_TEAM, snapshot(), settings, dup.QueueView.ALL)
    # third account first; then by best match: CE1 (0.998712) before CE6 (0.912)
    assert [c.cluster_id for c in cases] == ["CE3", "CE1", "CE6"]
    third, classic, twins = cases
    assert third.is_third_account and not classic.is_third_account
    assert third.account_ids == ("CE4", "CE3", "CE5")  # the recommended survivor (organisation e-mail) first
    assert [(p.account_id_l, p.account_id_r) for p in third.pairs] == [
        ("CE3", "CE4"),
        ("CE3", "CE5"),
        ("CE4", "CE5"),
    ]
    # the review pair CE2/CE6 links two clusters: evidence of neither
    assert [(p.account_id_l, p.account_id_r, p.match_probability, p.evidence) for p in classic.pairs] == [
        ("CE1", "CE2", 0.998712, EVIDENCE_CE1_CE2)
    ]
    assert classic.pairs[0].levels["name"] == "nickname"
    assert all(c.status is dup.Status.UNDECIDED and c.pending is None for c in cases)


def test_side_by_side_marks_personal_and_organisation_e_mail_and_masks_the_phone(snapshot, settings):
    classic = queue(snapshot(), settings)["CE1"]
    table = tables.side_by_side(classic)
    assert list(table.columns) == ["CE1 ★ recommended", "CE2"]
    assert list(table.loc["E-mail"]) == [
        "rsmith@lakeshorehealth.org (organisation)",
        "bigbob80@gmail.com (personal)",
    ]
    assert list(table.loc["Login"]) == ["sso", "password"]
    assert list(table.loc["Mobile phone"]) == ["***-***-0101", "***-***-0101"]
    assert list(table.loc["License"]) == ["IL 041.123456", "IL 041.123456"]
    assert list(table.loc["NPI"]) == ["1098765436", ""]
    assert list(table.loc["Address"]) == ["Chicago, IL, 60601", "Chicago, IL, 60601"]
    # created 2022-01-01 00:00 and 2018-05-01 00:00 UTC: in Chicago the evening before (CST, UTC-6; CDT,
    # UTC-5)
    assert list(table.loc["Created"]) == ["2021-12-31 18:00 CST", "2018-04-30 19:00 CDT"]


def test_a_merge_is_recorded_and_audited_and_pending_until_the_snapshot_applies_it(snapshot, settings):
    conn = snapshot()
    classic = queue(conn, settings)["CE1"]
    decision = dup.merge_cluster(settings, CE_TEAM, classic, "CE1", "  same NPI and license  ")
    assert audit_actions(settings) == [("cora", "ce_merge", "cluster CE1")]

    merged = queue(conn, settings)["CE1"]
    assert merged.status is dup.Status.MERGED
    assert (merged.current.id, merged.current.survivor_account_id, merged.current.merged_account_ids) == (
        decision,
        "CE1",
        ("CE2",),
    )
    assert merged.current.reason == "same NPI and license"
    assert merged.pending == dup.PENDING_MERGE
    assert "CE1" not in queue(conn, settings, dup.QueueView.UNDECIDED)
    assert "CE1" in queue(conn, settings, dup.QueueView.DECIDED)

    applied = snapshot(**materialized(settings))  # the next materialize published the merge
    assert queue(applied, settings)["CE1"].pending is None
    # an older snapshot without the decisions mart: the survivors table alone shows the merge applied
    assert queue(snapshot(survivors={"CE2": "CE1"}), settings)["CE1"].pending is None


def test_the_admin_merges_a_third_account_into_a_survivor_they_choose(snapshot, settings):
    conn = snapshot()
    third = queue(conn, settings)["CE3"]
    dup.merge_cluster(settings, ADMIN, third, "CE3", "CE3 holds the credits")
    current = queue(conn, settings)["CE3"].current
    assert (current.survivor_account_id, current.merged_account_ids) == ("CE3", ("CE4", "CE5"))


def test_keep_separate_leaves_the_undecided_queue_for_good(snapshot, settings):
    conn = snapshot()
    decision = dup.keep_separate(
        settings, CE_TEAM, queue(conn, settings)["CE6"], "twins: different first names"
    )
    assert list(queue(conn, settings, dup.QueueView.UNDECIDED)) == ["CE3", "CE1"]
    kept = queue(conn, settings, dup.QueueView.DECIDED)["CE6"]
    assert (kept.status, kept.pending) == (dup.Status.KEPT_SEPARATE, dup.PENDING_KEEP_SEPARATE)
    assert (kept.current.account_id_l, kept.current.account_id_r) == ("CE6", "CE7")  # the pair is named

    # applied: detection no longer links CE6 and CE7, so their cluster is gone; the decision is still listed
    applied = snapshot(**materialized(settings))
    assert list(queue(applied, settings, dup.QueueView.UNDECIDED)) == ["CE3", "CE1"]
    gone = queue(applied, settings, dup.QueueView.DECIDED)["CE6+CE7"]
    assert (gone.status, gone.pending, gone.in_snapshot, gone.current.id) == (
        dup.Status.KEPT_SEPARATE,
        None,
        False,
        decision,
    )
    assert [(p.account_id_l, p.account_id_r, p.decision) for p in gone.pairs] == [
        ("CE6", "CE7", "kept_separate")
    ]
    assert gone.account_ids == ("CE6", "CE7") and gone.classification == "other"


def test_a_new_cluster_reusing_a_kept_separate_id_is_proposed(snapshot, settings):
    dup.keep_separate(settings, CE_TEAM, queue(snapshot(), settings)["CE6"], "twins")
    # later CE6 and the new CE9 form a cluster that takes the id CE6 again
    reused = [c for c in CLUSTERS if c[0] != "CE6"] + [
        ("CE6", "CE6", 2, "other", True, "CE6", False, "password"),
        ("CE6", "CE9", 2, "other", False, "CE6", False, "password"),
    ]
    later = snapshot(**materialized(settings), clusters=reused)
    assert queue(later, settings, dup.QueueView.UNDECIDED)["CE6"].account_ids == ("CE6", "CE9")
    assert queue(later, settings, dup.QueueView.DECIDED)["CE6+CE7"].status is dup.Status.KEPT_SEPARATE


def test_undoing_a_keep_separate_brings_the_cluster_back_at_the_next_materialize(snapshot, settings):
    dup.keep_separate(settings, CE_TEAM, queue(snapshot(), settings)["CE6"], "twins")
    applied = snapshot(**materialized(settings))
    dup.undo_decision(settings, CE_TEAM, queue(applied, settings)["CE6+CE7"], "not twins after all")
    waiting = queue(applied, settings, dup.QueueView.UNDECIDED)["CE6+CE7"]
    assert (waiting.status, waiting.pending) == (dup.Status.UNDECIDED, dup.PENDING_UNDO)
    back = queue(snapshot(**materialized(settings)), settings, dup.QueueView.UNDECIDED)
    assert "CE6+CE7" not in back
    assert (back["CE6"].pending, [d.action for d in back["CE6"].history]) == (
        None,
        [DecisionAction.KEEP_SEPARATE, DecisionAction.UNDO],
    )


def test_undo_puts_the_cluster_back_and_is_pending_until_the_merge_is_gone(snapshot, settings):
    conn = snapshot()
    first = dup.merge_cluster(settings, CE_TEAM, queue(conn, settings)["CE1"], "CE1", "same person")
    applied = snapshot(**materialized(settings))
    undo = dup.undo_decision(settings, CE_TEAM, queue(applied, settings)["CE1"], "Bob is the father")

    back = queue(applied, settings, dup.QueueView.UNDECIDED)["CE1"]
    assert back.status is dup.Status.UNDECIDED and back.current is None
    assert [(d.id, d.action, d.undoes_decision_id) for d in back.history] == [
        (first, DecisionAction.MERGE, None),
        (undo, DecisionAction.UNDO, first),
    ]
    assert back.pending == dup.PENDING_UNDO  # the snapshot still maps CE2 -> CE1
    assert queue(snapshot(**materialized(settings)), settings)["CE1"].pending is None
    assert [a for _, a, _ in audit_actions(settings)] == ["ce_merge", "ce_undo"]


def test_decisions_that_cannot_stand_are_refused_with_the_reason(snapshot, settings):
    conn = snapshot()
    classic = queue(conn, settings)["CE1"]
    with pytest.raises(InvalidDecision, match="needs a reason"):
        dup.keep_separate(settings, CE_TEAM, classic, "   ")
    with pytest.raises(InvalidDecision, match="CE4 is not in cluster CE1"):
        dup.merge_cluster(settings, CE_TEAM, classic, "CE4", "wrong cluster")
    with pytest.raises(InvalidDecision, match="has no decision to undo"):
        dup.undo_decision(settings, CE_TEAM, classic, "nothing to undo")
    first = dup.keep_separate(settings, CE_TEAM, classic, "different people")
    # the page still shows the old (undecided) read: a second decision is refused, not recorded twice
    with pytest.raises(InvalidDecision, match=f"already has decision {first}"):
        dup.merge_cluster(settings, CE_TEAM, classic, "CE1", "same person after all")


def test_a_merge_that_does_not_cover_a_new_account_is_proposed_again(snapshot, settings):
    # decided when the cluster held CE3 and CE4 only; CE5 joined it since
    record_decision(
        settings,
        CE_TEAM,
        "merge",
        reason="same",
        cluster_id="CE3",
        survivor_account_id="CE4",
        merged_account_ids=["CE3"],
    )
    case = queue(snapshot(), settings, dup.QueueView.UNDECIDED)["CE3"]
    assert case.status is dup.Status.NEEDS_REVIEW and case.current is not None


@pytest.mark.parametrize("who", [STAFF, EMPLOYER])
def test_other_roles_get_not_permitted(snapshot, settings, who):
    conn = snapshot()
    case = queue(conn, settings)["CE1"]
    with pytest.raises(NotPermitted):
        dup.duplicate_queue(who, conn, settings)
    with pytest.raises(NotPermitted):
        dup.merge_cluster(settings, who, case, "CE1", "not mine to decide")
    with pytest.raises(NotPermitted):
        dup.keep_separate(settings, who, case, "not mine to decide")
    with pytest.raises(NotPermitted):
        start_materialize(settings, who, command=[sys.executable, "-c", "pass"])
    assert audit_actions(settings) == []


def test_without_the_accounts_mart_the_queue_still_shows_ids_and_login(snapshot, settings):
    classic = queue(snapshot(with_accounts=False), settings)["CE1"]
    assert [(a.account_id, a.login_method, a.email) for a in classic.accounts] == [
        ("CE1", "sso", None),
        ("CE2", "password", None),
    ]


def test_each_published_snapshot_is_read_afresh_and_decisions_show_without_one(snapshot, settings):
    first = snapshot()
    assert "CE1" in queue(first, settings)
    # The next publish has kept CE1/CE2 separate: the queue follows the new file, not what it read before.
    second = snapshot(kept_separate=frozenset({("CE1", "CE2")}))
    assert "CE1" not in queue(second, settings)
    assert "CE1" in queue(first, settings)  # a page still reading the older file sees that file
    # A decision needs no new snapshot to show: the store is read on every call.
    case = queue(first, settings, dup.QueueView.UNDECIDED)["CE1"]
    dup.keep_separate(settings, CE_TEAM, case, "different people: checked the licenses")
    assert "CE1" not in queue(first, settings, dup.QueueView.UNDECIDED)


def test_a_snapshot_without_the_duplicate_marts_is_a_clear_error(snapshot, settings):
    with pytest.raises(ValueError, match="marts.duplicate_account_pairs is not in the published snapshot"):
        dup.duplicate_queue(CE_TEAM, snapshot(skip=("duplicate_account_pairs",)), settings)


def test_the_queue_export_has_one_row_per_account_and_neutralises_formulas(snapshot, settings):
    cases = dup.duplicate_queue(CE_TEAM, snapshot(), settings, dup.QueueView.ALL)
    data, rows = tables.queue_csv(cases)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == 7 and len(table) == 1 + 7  # 3 + 2 + 2 accounts, plus the header
    twins = [r for r in table if r[0] == "CE6"]
    assert [r[5] for r in twins] == [f"'{HOSTILE} Garcia", "Sofia Garcia"]
    assert [r[4] for r in table[1:4]] == ["yes", "", ""]  # CE4 survives the third-account cluster
    # "Created" in the organisation's zone, as on the page, the zones it uses named in the header
    created = table[0].index(next(h for h in table[0] if h.startswith("Created (")))
    assert set(table[0][created].removeprefix("Created (").removesuffix(")").split("/")) == {"CST", "CDT"}
    by_account = {r[3]: r[created] for r in table[1:]}
    assert (by_account["CE1"], by_account["CE2"]) == ("2021-12-31T18:00:00", "2018-04-30T19:00:00")
    xlsx, xlsx_rows = tables.queue_excel(cases)
    assert xlsx[:2] == b"PK" and xlsx_rows == 7


def test_apply_now_starts_one_run_at_a_time(settings):
    slow = [sys.executable, "-c", "import time; time.sleep(2)"]
    pid = start_materialize(settings, CE_TEAM, command=slow)
    assert materialize_running(settings)
    with pytest.raises(AlreadyRunning):
        start_materialize(settings, ADMIN, command=slow)
    assert pid > 0
    # The run ends and the kernel drops its lock. Poll rather than waitpid: subprocess may already have reaped
    # the child it no longer holds a Popen for.
    deadline = time.monotonic() + 30
    while materialize_running(settings) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not materialize_running(settings)
    start_materialize(settings, ADMIN, command=[sys.executable, "-c", "pass"])
    assert [a for _, a, _ in audit_actions(settings)] == ["materialize_start", "materialize_start"]


def test_each_pair_carries_its_match_weight_waterfall(snapshot, settings):
    case = queue(snapshot(), settings)["CE1"]
    [pair] = [p for p in case.pairs if (p.account_id_l, p.account_id_r) == ("CE1", "CE2")]
    assert pair.weights == {
        "prior": -32.0,
        "name": 8.0,
        "birth_date": 7.0,
        "mobile_phone": 9.0,
        "email_local": -1.4,
        "license": 7.0,
        "npi": 0.0,
        "address": 12.0,
        "generation": 0.0,
    }
    # the fields that weigh nothing (missing) are left out of the chart; the steps add up to the match weight
    steps = tables.waterfall_steps(pair)
    assert steps == [
        ("prior (any two accounts)", -32.0),
        ("name: nickname", 8.0),
        ("birth date: exact", 7.0),
        ("phone: exact", 9.0),
        ("e-mail: different", -1.4),
        ("license: exact", 7.0),
        ("address: exact", 12.0),
    ]
    assert abs(sum(v for _, v in steps) - pair.match_weight) < 1e-9


def test_model_agreement_counts_decided_pairs_the_model_links_or_not(snapshot, settings):
    # merged CE3+CE4+CE5 (3 pairs, all linked by the model) and CE1+CE2 (linked); kept separate CE6/CE7
    # (linked, p 0.912) and CE2/CE6 (not linked, p 0.61): precision 4 / 5, recall 4 / 4
    decisions = [
        _decision(1, "merge", "CE4", ["CE3", "CE5"], ["CE3", "CE4", "CE5"]),
        _decision(2, "merge", "CE1", ["CE2"], ["CE1", "CE2"]),
        _decision(3, "keep_separate", None, [], ["CE6", "CE7"]),
        _decision(4, "keep_separate", None, [], ["CE2", "CE6"]),
        _decision(5, "keep_separate", None, [], ["CE1", "CE3"], in_force=False),  # undone: not counted
    ]
    agreement = dup.model_agreement(CE_TEAM, snapshot(decisions=decisions))
    assert (agreement.merged_linked, agreement.merged_not_linked) == (4, 0)
    assert (agreement.kept_linked, agreement.kept_not_linked) == (1, 1)
    assert agreement.precision == 4 / 5 and agreement.recall == 1.0
    assert dup.model_agreement(CE_TEAM, snapshot()) is None  # no decisions mart published yet
    with pytest.raises(NotPermitted):
        dup.model_agreement(STAFF, snapshot(decisions=decisions))


def _decision(i, action, survivor, merged, accounts, in_force=True) -> dict:
    import datetime as dt

    return {
        "decision_id": i,
        "action": action,
        "decided_by": "cora",
        "decided_at": dt.datetime(2026, 5, i),
        "reason": "checked",
        "cluster_id": None,
        "survivor_account_id": survivor,
        "merged_account_ids": merged,
        "account_ids": accounts,
        "undoes_decision_id": None,
        "undone_by_decision_id": None,
        "in_force": in_force,
    }
