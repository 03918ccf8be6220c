"""The CE team's duplicate-account queue: clusters with their accounts side by side, the evidence, the
decisions.

Reads the published ``marts.duplicate_account_clusters``, ``marts.duplicate_account_pairs`` and
``marts.ce_accounts`` (``assets/ce/accounts_mart.py``), what the pipeline has applied
(``marts.ce_merge_decisions`` and ``marts.ce_account_survivors``, ``assets/ce/merges.py``), and the decisions
in the state store (``reports.state``), which may be newer than the snapshot. Only the CE team and admins may
call anything here.

Modules by job: ``duplicate_cases`` (what the queue shows), ``duplicate_marts`` (tolerant reads of the marts),
``duplicate_snapshot`` (their facts, cached per snapshot file), ``duplicate_decisions`` (which cluster a
decision is about, applied or not, status), ``duplicate_actions`` (merge / keep separate / undo); this module
builds the queue and re-exports what pages and tests use. A gone cluster's kind and survivor follow
``domain.ce.duplicates.classification``.

Which cluster a decision is about: the accounts it concerns (``domain.ce.merges.resolve_accounts``: a merge's
survivor and merged accounts, a keep-separate's pair, else the accounts the pipeline resolved, else its
cluster's members now) against the clusters now; the cluster holding most of them (at least two) wins. Cluster
ids are not stable (a new cluster may reuse the id of one kept separate), accounts are. After a keep-separate
is applied its accounts stop forming a cluster; the queue still lists the decision, under the id ``A+B`` of
its accounts.

"Applied": a decision is applied once the published ``marts.ce_merge_decisions`` lists it (without that mart,
a merge once ``marts.ce_account_survivors`` maps its accounts to the survivor); until then the cluster says
"applied by the next materialize".
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.ce.duplicates.classification import Candidate, classify, recommended_survivor
from domain.ce.duplicates.evaluation import DecisionAgreement, agreement_with_decisions
from domain.ce.duplicates.policy import DuplicatePolicy
from domain.ce.merges import resolve_accounts
from domain.settings import Settings
from domain.sql_files import load
from reports.ce.duplicate_actions import keep_separate, merge_cluster, undo_decision
from reports.ce.duplicate_cases import (
    CLASSIFICATION_LABELS,
    PENDING,
    PENDING_KEEP_SEPARATE,
    PENDING_MERGE,
    PENDING_UNDO,
    AccountCard,
    ClusterCase,
    PairEvidence,
    QueueView,
    Status,
    require_ce_team,
)
from reports.ce.duplicate_decisions import applied, assign, current_decision, ghost_id, status
from reports.ce.duplicate_marts import DECISIONS, PAIRS, mart_columns, read_cards, read_pairs, read_records
from reports.ce.duplicate_snapshot import queue_snapshot
from reports.principal import Principal
from reports.state import DecisionAction, list_decisions

__all__ = [
    "CLASSIFICATION_LABELS",
    "PENDING_KEEP_SEPARATE",
    "PENDING_MERGE",
    "PENDING_UNDO",
    "AccountCard",
    "ClusterCase",
    "PairEvidence",
    "QueueView",
    "Status",
    "duplicate_queue",
    "ghost_id",
    "keep_separate",
    "merge_cluster",
    "model_agreement",
    "undo_decision",
]


def _fallback_kind(found: Sequence[AccountCard]) -> tuple[str, str | None]:
    """A gone cluster's kind and recommended survivor, by ``domain.ce.duplicates.classification``."""
    classification = classify([c.is_organisation for c in found])
    candidates = (Candidate(c.account_id, c.login_method, c.is_organisation, c.created_at) for c in found)
    return classification, recommended_survivor(candidates)


def _recommended(rows: Sequence[dict]) -> str | None:
    """The survivor the clusters mart recommends: named on the rows, else the row flagged as the survivor."""
    named = [r["recommended_survivor_account_id"] for r in rows if r["recommended_survivor_account_id"]]
    if named:
        return str(named[0])
    flagged = [r["account_id"] for r in rows if r["is_recommended_survivor"]]
    return flagged[0] if flagged else None


def _in_view(case: ClusterCase, view: QueueView) -> bool:
    if view is QueueView.UNDECIDED:
        return not case.is_decided
    if view is QueueView.DECIDED:
        return case.is_decided
    if view is QueueView.THIRD_ACCOUNTS:
        return case.is_third_account
    return True


def duplicate_queue(
    principal: Principal, conn, settings: Settings, view: QueueView | str = QueueView.UNDECIDED
) -> list[ClusterCase]:
    """The clusters of likely duplicate accounts in ``view``: third accounts first, then by best match.

    ``conn``: the published snapshot; ``settings``: where the decisions are stored.
    """
    require_ce_team(principal)
    view = QueueView(view)
    snap = queue_snapshot(conn)
    members, cluster_of, published = snap.members, snap.cluster_of, snap.published
    history = list_decisions(settings)
    accounts_of = resolve_accounts(history, members, published or {})
    by_key, ghosts = assign(history, accounts_of, cluster_of)
    by_id = {d.id: d for d in history}

    # Accounts of decisions whose cluster is gone are read per call: they depend on the decisions.
    extra = sorted({a for accounts in ghosts.values() for a in accounts} - set(cluster_of))
    cards, pairs_of = snap.cards, snap.pairs_of
    if extra:
        cards = cards | read_cards(conn, snap.columns, {}, extra)
        pairs_of = pairs_of | read_pairs(conn, snap.columns, extra)
    survivors = snap.survivors

    def case(
        key: str, accounts: Sequence[str], classification: str | None, recommended: str | None
    ) -> ClusterCase:
        decisions = tuple(by_key.get(key, ()))
        current = current_decision(decisions)
        last = decisions[-1] if decisions else None
        found = [cards[a] for a in accounts]
        fallback_kind, fallback_survivor = _fallback_kind(found)
        recommended = recommended or fallback_survivor
        inside = set(accounts)
        return ClusterCase(
            cluster_id=key,
            classification=classification or fallback_kind,
            accounts=tuple(sorted(found, key=lambda a: (a.account_id != recommended, a.account_id))),
            pairs=tuple(
                sorted(
                    (p for a in accounts for p in pairs_of.get(a, ()) if p.account_id_r in inside),
                    key=lambda p: (-p.match_probability, p.account_id_l, p.account_id_r),
                )
            ),
            recommended_survivor_account_id=recommended,
            status=status(current, accounts_of, accounts),
            current=current,
            history=decisions,
            pending=PENDING[last.action] if last and not applied(last, by_id, published, survivors) else None,
            in_snapshot=classification is not None,
        )

    cases = [
        case(c, members[c], str(rows[0]["classification"]), _recommended(rows))
        for c, rows in snap.rows_of.items()
    ]
    for key, accounts in sorted(ghosts.items()):
        gone = case(key, accounts, None, None)
        if gone.current is not None or gone.pending:  # a decision in force, or an undo the snapshot lacks
            cases.append(gone)
    cases = [c for c in cases if _in_view(c, view)]
    cases.sort(key=lambda c: (not c.is_third_account, -(c.best_probability or 0.0), c.cluster_id))
    return cases


def model_agreement(principal: Principal, conn) -> DecisionAgreement | None:
    """How the published model agrees with the decisions the pipeline applied (``marts.ce_merge_decisions`` in
    force): merged pairs against kept-separate pairs, the model's link being ``is_match`` of the pairs mart (a
    pair missing there scored below the review threshold: not linked). None when the snapshot has no decisions
    mart."""
    require_ce_team(principal)
    columns = mart_columns(conn)
    if DECISIONS not in columns or PAIRS not in columns:
        return None
    wanted = ["action", "survivor_account_id", "merged_account_ids", "account_ids", "in_force"]
    merged, kept = set(), set()
    for row in read_records(conn, columns, DECISIONS, wanted, ["action", "account_ids"]):
        if row["in_force"] is False:
            continue
        if row["action"] == DecisionAction.MERGE.value:
            accounts = [row["survivor_account_id"], *(row["merged_account_ids"] or ())]
            target = merged
        elif row["action"] == DecisionAction.KEEP_SEPARATE.value:
            accounts, target = list(row["account_ids"] or ()), kept
        else:
            continue
        ids = sorted({str(a) for a in accounts if a is not None})
        target |= {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
    if "is_match" in columns[PAIRS]:
        linked = conn.execute(load(__package__, "linked_pairs")).fetchall()
    else:  # published before is_match: the policy's match threshold, as detection applies it
        threshold = {"match_threshold": DuplicatePolicy().match_threshold}
        linked = conn.execute(load(__package__, "linked_pairs_by_probability"), threshold).fetchall()
    return agreement_with_decisions(linked, merged, kept)
