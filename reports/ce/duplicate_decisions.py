"""Which cluster each CE decision is about, whether the snapshot shows it applied, and a cluster's status.

A decision's accounts (``domain.ce.merges.resolve_accounts``) against the clusters now: the cluster holding
most of them (at least two) wins; a decision whose accounts no longer form a cluster is keyed ``A+B`` by them.
The decision in force is the last not undone (``domain.ce.merges.in_force``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from domain.ce.merges import in_force, resolve_accounts
from domain.settings import Settings
from reports.ce.duplicate_cases import ClusterCase, Status
from reports.state import Decision, DecisionAction, list_decisions


def current_decision(history: Iterable[Decision]) -> Decision | None:
    """The merge / keep-separate decision in force on a cluster, given its decisions."""
    live = in_force(history)
    return live[-1] if live else None


def _best_cluster(accounts: Iterable[str], cluster_of: dict[str, str]) -> str | None:
    """The cluster holding most of ``accounts`` (at least two; ties: the smallest id)."""
    counts = Counter(cluster_of[a] for a in accounts if a in cluster_of)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0][0] if ranked and ranked[0][1] >= 2 else None


def ghost_id(accounts: Iterable[str]) -> str:
    return "+".join(sorted(accounts))


def assign(
    history: list[Decision], accounts_of: dict[int, tuple[str, ...]], cluster_of: dict[str, str]
) -> tuple[dict[str, list[Decision]], dict[str, tuple[str, ...]]]:
    """Decisions per cluster id, and the accounts of decisions whose cluster is gone (keyed ``A+B``)."""
    key_of: dict[int, str] = {}
    by_key: dict[str, list[Decision]] = {}
    ghosts: dict[str, tuple[str, ...]] = {}
    for d in sorted(history, key=lambda d: d.id):
        if d.action is DecisionAction.UNDO:
            key = key_of.get(d.undoes_decision_id)  # an undo goes where the decision it reverses went
        else:
            accounts = tuple(sorted(accounts_of.get(d.id, ())))
            key = _best_cluster(accounts, cluster_of)
            if key is None and len(accounts) >= 2:
                key = ghost_id(accounts)
                ghosts[key] = accounts
        if key is not None:
            key_of[d.id] = key
            by_key.setdefault(key, []).append(d)
    return by_key, ghosts


def applied(
    d: Decision, by_id: dict[int, Decision], published: dict | None, survivors: dict[str, str] | None
) -> bool:
    if published is not None:
        return d.id in published
    # an older snapshot without the decisions mart: only merges can be seen applied, in the survivors table
    target = by_id.get(d.undoes_decision_id) if d.action is DecisionAction.UNDO else d
    if survivors is None or target is None or target.action is not DecisionAction.MERGE:
        return False
    mapped = [survivors.get(m) == target.survivor_account_id for m in target.merged_account_ids]
    return all(mapped) if d.action is DecisionAction.MERGE else not any(mapped)


def status(
    current: Decision | None, accounts_of: dict[int, tuple[str, ...]], members: Iterable[str]
) -> Status:
    if current is None:
        return Status.UNDECIDED
    if not set(members) <= set(accounts_of.get(current.id, ())):
        return Status.NEEDS_REVIEW
    return Status.MERGED if current.action is DecisionAction.MERGE else Status.KEPT_SEPARATE


def fresh_current(settings: Settings, case: ClusterCase) -> Decision | None:
    """The decision in force on ``case`` now, from the store: someone may have decided since the page was
    read."""
    history = sorted(list_decisions(settings), key=lambda d: d.id)
    accounts_of = resolve_accounts(history, {case.cluster_id: case.account_ids})
    inside = set(case.account_ids)
    mine = {d.id for d in case.history}
    for d in history:
        if d.id in mine:
            continue
        if d.action is DecisionAction.UNDO:
            if d.undoes_decision_id in mine:
                mine.add(d.id)
        elif len(inside & set(accounts_of.get(d.id, ()))) >= 2:
            mine.add(d.id)
    return current_decision(d for d in history if d.id in mine)
