"""The CE team's duplicate-account decisions folded into what the pipeline applies (domain-rules.md,
"Duplicate CE accounts").

The decision history (oldest first, undos included) is replayed:

- ``merge``: each merged account points at the survivor. Chains resolve to the final survivor (A→B, then B→C
  gives A→C and B→C), so ``marts.ce_account_survivors`` needs no recursion downstream.
- ``undo``: the decision it names is taken out and the rest replayed in order, so undoing the latest merge
  gives back exactly the mapping from before it, and undoing an older one keeps every later decision.
- ``keep_separate``: every pair of its accounts is never to be clustered or proposed again.

A decision made in the dashboard may name only a cluster (``cluster_id`` = the smallest account id of the
cluster, ``domain.ce.duplicates.classification``). Its accounts are resolved once, from the clusters the CE
team was looking at, and kept from run to run (the published decisions table carries them), because after a
keep-separate the cluster disappears and a later cluster may reuse the same id with other accounts.

Pure: no database, no Dagster. Decisions are anything with the attributes of ``reports.state.Decision``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Protocol

from domain import marts

MERGE = "merge"
KEEP_SEPARATE = "keep_separate"
UNDO = "undo"


class DecisionLike(Protocol):
    id: int
    action: str
    cluster_id: str | None
    account_id_l: str | None
    account_id_r: str | None
    survivor_account_id: str | None
    merged_account_ids: Sequence[str]
    undoes_decision_id: int | None
    decided_by: str
    decided_at: datetime
    reason: str


Pair = tuple[str, str]


@dataclass(frozen=True)
class MergeState:
    """What the pipeline applies."""

    #: merged account → its final survivor (never itself, never another merged account).
    survivors: dict[str, str]
    #: merged account → the merge decision that moved it (directly) out of its own account.
    merged_by: dict[str, int]
    #: (smaller id, larger id) pairs the CE team kept separate, in force.
    kept_separate: frozenset[Pair]
    #: ids of the merge / keep_separate decisions in force (not undone).
    in_force: frozenset[int]
    #: decision id → the undo that reversed it.
    undone_by: dict[int, int]
    #: merges whose survivor had itself been merged into one of their accounts: the newer decision wins.
    superseded_cycles: tuple[int, ...] = ()


def ordered(history: Iterable[DecisionLike]) -> list[DecisionLike]:
    return sorted(history, key=lambda d: d.id)


def undone_by(history: Iterable[DecisionLike]) -> dict[int, int]:
    """decision id → id of the undo that reversed it."""
    return {
        d.undoes_decision_id: d.id for d in history if d.action == UNDO and d.undoes_decision_id is not None
    }


def in_force(history: Iterable[DecisionLike]) -> list[DecisionLike]:
    """The merge / keep_separate decisions not undone, oldest first: what the pipeline applies. The read side
    shows the last of a cluster's as its decision in force."""
    history = ordered(history)
    undone = undone_by(history)
    return [d for d in history if d.action != UNDO and d.id not in undone]


def named_accounts(decision: DecisionLike) -> tuple[str, ...]:
    """The accounts a decision names itself (pair, survivor, merged), sorted, without repeats."""
    named = {
        decision.account_id_l,
        decision.account_id_r,
        decision.survivor_account_id,
        *decision.merged_account_ids,
    }
    return tuple(sorted(str(a) for a in named if a))


def resolve_accounts(
    history: Iterable[DecisionLike],
    cluster_members: Mapping[str, Sequence[str]],
    previously_resolved: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, tuple[str, ...]]:
    """decision id → the accounts it concerns.

    A merge: survivor + merged accounts. A keep-separate: the pair or accounts it names, else the accounts
    resolved on an earlier run, else the members of its cluster now (``cluster_members``: cluster_id → account
    ids). An undo: the accounts of the decision it reverses. Unresolvable → ``()`` (nothing applied, shown as
    such).
    """
    previously_resolved = previously_resolved or {}
    out: dict[int, tuple[str, ...]] = {}
    for d in ordered(history):
        if d.action == UNDO:
            continue
        accounts = named_accounts(d)
        if len(accounts) < 2 and d.action == KEEP_SEPARATE:
            earlier = tuple(sorted(previously_resolved.get(d.id, ())))
            members = tuple(sorted(cluster_members.get(d.cluster_id, ()))) if d.cluster_id else ()
            accounts = earlier if len(earlier) >= 2 else members
        out[d.id] = accounts
    for d in history:
        if d.action == UNDO:
            out[d.id] = out.get(d.undoes_decision_id, ())
    return out


def pairs_among(accounts: Iterable[str]) -> set[Pair]:
    """Every unordered pair of ``accounts`` as (smaller, larger)."""
    return {(a, b) for a, b in combinations(sorted(set(accounts)), 2)}


def _chain_end(direct: Mapping[str, tuple[str, int]], account: str) -> tuple[str, list[str]]:
    """Follow merges from ``account`` to the account that survives them all; also the accounts passed."""
    seen = [account]
    while account in direct:
        account = direct[account][0]
        if account in seen:  # cannot happen after _apply_merge breaks cycles; guard against an endless loop
            break
        seen.append(account)
    return account, seen


def _apply_merge(direct: dict[str, tuple[str, int]], d: DecisionLike) -> bool:
    """Point each merged account of ``d`` at its survivor; returns True when a cycle had to be broken.

    If the survivor was itself merged (directly or through a chain) into one of the accounts now merged into
    it, the newer decision wins: the survivor stops being merged, so no account ends up merged into itself.
    """
    survivor = str(d.survivor_account_id)
    merged = {str(m) for m in d.merged_account_ids} - {survivor}
    _, passed = _chain_end(direct, survivor)
    cycle = bool(merged & set(passed))
    if cycle:
        direct.pop(survivor, None)
    for m in sorted(merged):
        direct[m] = (survivor, d.id)
    return cycle


def fold_decisions(
    history: Iterable[DecisionLike], accounts_of: Mapping[int, Sequence[str]] | None = None
) -> MergeState:
    """Replay the decisions in force, oldest first, into the merge mapping and the kept-separate pairs.

    ``accounts_of`` (from :func:`resolve_accounts`) gives a keep-separate decision's accounts when it names a
    cluster only; without it, only the accounts the decision names itself count.
    """
    history = ordered(history)
    undone = undone_by(history)
    live = in_force(history)
    direct: dict[str, tuple[str, int]] = {}
    kept: set[Pair] = set()
    cycles: list[int] = []
    for d in live:
        if d.action == MERGE and d.survivor_account_id:
            if _apply_merge(direct, d):
                cycles.append(d.id)
        elif d.action == KEEP_SEPARATE:
            accounts = (accounts_of or {}).get(d.id) or named_accounts(d)
            kept |= pairs_among(accounts)
    survivors = {a: _chain_end(direct, a)[0] for a in direct}
    return MergeState(
        survivors=dict(sorted(survivors.items())),
        merged_by={a: direct[a][1] for a in sorted(direct)},
        kept_separate=frozenset(kept),
        in_force=frozenset(d.id for d in live),
        undone_by=undone,
        superseded_cycles=tuple(cycles),
    )


#: Columns of ``marts.ce_merge_decisions`` (the registry's, ``domain.marts``): the decision history for the
#: dashboard, usernames but no personal data. ``decided_at`` is naive UTC like every warehouse timestamp;
#: ``account_ids`` is every account the decision concerns (resolved for a keep-separate naming a cluster).
DECISION_COLUMNS = marts.get("ce_merge_decisions").column_names


def _naive_utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def decision_rows(
    history: Iterable[DecisionLike], accounts_of: Mapping[int, Sequence[str]], state: MergeState
) -> list[dict]:
    """One row per decision, oldest first, with :data:`DECISION_COLUMNS`."""
    return [
        {
            "decision_id": d.id,
            "action": str(d.action),
            "decided_by": d.decided_by,
            "decided_at": _naive_utc(d.decided_at),
            "reason": d.reason,
            "cluster_id": d.cluster_id,
            "survivor_account_id": d.survivor_account_id,
            "merged_account_ids": [str(m) for m in d.merged_account_ids],
            "account_ids": list(accounts_of.get(d.id, ())),
            "undoes_decision_id": d.undoes_decision_id,
            "undone_by_decision_id": state.undone_by.get(d.id),
            "in_force": d.id in state.in_force,
        }
        for d in ordered(history)
    ]
