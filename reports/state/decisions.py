"""CE duplicate-account decisions (merge / keep separate / undo): made by the CE team, read by the pipeline.

Each decision is one immutable row; an undo is a new row pointing at the decision it reverses, so the history
of who decided what and why is never rewritten. :func:`effective_decisions` is what the pipeline applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from domain.ce.merges import in_force
from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.principal import Principal, Role
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import MergeDecision


class DecisionAction(StrEnum):
    MERGE = "merge"
    KEEP_SEPARATE = "keep_separate"
    UNDO = "undo"


class InvalidDecision(ValueError):
    """A decision that cannot be recorded as asked (the message says why)."""


@dataclass(frozen=True)
class Decision:
    id: int
    action: DecisionAction
    decided_by: str
    decided_at: datetime
    reason: str
    cluster_id: str | None
    account_id_l: str | None
    account_id_r: str | None
    survivor_account_id: str | None
    merged_account_ids: tuple[str, ...]
    undoes_decision_id: int | None


def _to_decision(row: MergeDecision) -> Decision:
    return Decision(
        id=row.id,
        action=DecisionAction(row.action),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        cluster_id=row.cluster_id,
        account_id_l=row.account_id_l,
        account_id_r=row.account_id_r,
        survivor_account_id=row.survivor_account_id,
        merged_account_ids=tuple(row.merged_account_ids or ()),
        undoes_decision_id=row.undoes_decision_id,
    )


def _check(action, reason, cluster_id, account_id_l, account_id_r, survivor, merged, undoes) -> None:
    if not reason or not reason.strip():
        raise InvalidDecision("a decision needs a reason")
    if action is DecisionAction.UNDO:
        if undoes is None:
            raise InvalidDecision("an undo must name the decision it reverses")
        return
    if cluster_id is None and (account_id_l is None or account_id_r is None):
        raise InvalidDecision("a decision must name a cluster_id or a pair (account_id_l, account_id_r)")
    if action is DecisionAction.MERGE:
        if not survivor:
            raise InvalidDecision("a merge must name the surviving account")
        if not merged:
            raise InvalidDecision("a merge must name the accounts merged into the survivor")
        if survivor in merged:
            raise InvalidDecision("the surviving account cannot also be merged away")


def record_decision(
    settings: Settings,
    principal: Principal,
    action: DecisionAction | str,
    *,
    reason: str,
    cluster_id: str | None = None,
    account_id_l: str | None = None,
    account_id_r: str | None = None,
    survivor_account_id: str | None = None,
    merged_account_ids: tuple[str, ...] | list[str] = (),
    undoes_decision_id: int | None = None,
    clock: Clock = utc_now,
) -> int:
    """Record a decision (CE team or admin only) and its audit row; returns the decision id."""
    principal.require(Role.CE_TEAM, Role.ADMIN)
    action = DecisionAction(action)
    merged = [str(a) for a in merged_account_ids]
    _check(
        action,
        reason,
        cluster_id,
        account_id_l,
        account_id_r,
        survivor_account_id,
        merged,
        undoes_decision_id,
    )
    now = clock()
    with transaction(settings) as s:
        if action is DecisionAction.UNDO:
            target = s.get(MergeDecision, undoes_decision_id)
            if target is None or target.action == DecisionAction.UNDO:
                raise InvalidDecision(f"decision {undoes_decision_id} does not exist or is itself an undo")
            already = s.scalar(select(MergeDecision.id).where(MergeDecision.undoes_decision_id == target.id))
            if already is not None:
                raise InvalidDecision(f"decision {target.id} was already undone by decision {already}")
            cluster_id, account_id_l, account_id_r = (
                target.cluster_id,
                target.account_id_l,
                target.account_id_r,
            )
        row = MergeDecision(
            action=action.value,
            decided_by=principal.username,
            decided_at=now,
            reason=reason.strip(),
            cluster_id=cluster_id,
            account_id_l=account_id_l,
            account_id_r=account_id_r,
            survivor_account_id=survivor_account_id,
            merged_account_ids=merged,
            undoes_decision_id=undoes_decision_id,
        )
        s.add(row)
        s.flush()
        what = f"cluster {cluster_id}" if cluster_id else f"pair {account_id_l}/{account_id_r}"
        add_audit(
            s,
            at=now,
            actor=principal.username,
            actor_role=principal.role.value,
            action=f"ce_{action.value}",
            target=what,
            row_count=len(merged) or None,
            detail=f"decision {row.id}" + (f" undoes {undoes_decision_id}" if undoes_decision_id else ""),
        )
        return row.id


def list_decisions(settings: Settings) -> list[Decision]:
    """Every decision, oldest first (the full history, undos included)."""
    with transaction(settings) as s:
        rows = s.scalars(select(MergeDecision).order_by(MergeDecision.id)).all()
        return [_to_decision(r) for r in rows]


def effective_decisions(settings: Settings) -> list[Decision]:
    """The merge / keep_separate decisions not undone, oldest first: what the pipeline applies
    (``domain.ce.merges.in_force``)."""
    return in_force(list_decisions(settings))
