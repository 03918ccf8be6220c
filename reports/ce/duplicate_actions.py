"""The CE team's write actions on the duplicate queue: merge, keep separate, undo (each one audited decision).

Each checks the store first: someone may have decided on the cluster since the page was read.
"""

from __future__ import annotations

from domain.settings import Settings
from reports.ce.duplicate_cases import ClusterCase, require_ce_team
from reports.ce.duplicate_decisions import fresh_current
from reports.principal import Principal
from reports.state import DecisionAction, InvalidDecision, record_decision


def _require_undecided(settings: Settings, case: ClusterCase) -> None:
    current = fresh_current(settings, case)
    if current is not None:
        raise InvalidDecision(
            f"cluster {case.cluster_id} already has decision {current.id} ({current.action.value} by "
            f"{current.decided_by}); undo it first"
        )


def merge_cluster(
    settings: Settings, principal: Principal, case: ClusterCase, survivor_account_id: str, reason: str
) -> int:
    """Merge every other account of ``case`` into ``survivor_account_id``; returns the decision id
    (audited)."""
    require_ce_team(principal)
    if survivor_account_id not in case.account_ids:
        raise InvalidDecision(f"account {survivor_account_id} is not in cluster {case.cluster_id}")
    _require_undecided(settings, case)
    return record_decision(
        settings,
        principal,
        DecisionAction.MERGE,
        reason=reason,
        cluster_id=case.cluster_id,
        survivor_account_id=survivor_account_id,
        merged_account_ids=[a for a in case.account_ids if a != survivor_account_id],
    )


def keep_separate(settings: Settings, principal: Principal, case: ClusterCase, reason: str) -> int:
    """Record that the accounts of ``case`` are different people; the cluster leaves the undecided queue.

    Two accounts are named as the pair; a bigger cluster by its cluster_id, which the pipeline resolves to its
    accounts on the next run (``domain.ce.merges.resolve_accounts``).
    """
    require_ce_team(principal)
    ids = sorted(case.account_ids)
    if len(ids) > 2 and not case.in_snapshot:
        raise InvalidDecision(
            f"the accounts {case.cluster_id} no longer form a cluster: decide after the next materialize"
        )
    _require_undecided(settings, case)
    pair = (ids[0], ids[1]) if len(ids) == 2 else (None, None)
    return record_decision(
        settings,
        principal,
        DecisionAction.KEEP_SEPARATE,
        reason=reason,
        cluster_id=case.cluster_id,
        account_id_l=pair[0],
        account_id_r=pair[1],
    )


def undo_decision(settings: Settings, principal: Principal, case: ClusterCase, reason: str) -> int:
    """Reverse the decision in force on ``case`` (a merge or a keep-separate); the cluster is undecided
    again."""
    require_ce_team(principal)
    current = fresh_current(settings, case)
    if current is None:
        raise InvalidDecision(f"cluster {case.cluster_id} has no decision to undo")
    return record_decision(
        settings, principal, DecisionAction.UNDO, reason=reason, undoes_decision_id=current.id
    )
