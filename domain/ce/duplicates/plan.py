"""What of the model the data at hand can carry, decided before Splink sees it.

A CE export of another shape may have a column that is empty (no phones), constant (one placeholder value) or
all-unique (synthetic e-mails). None of them may stop a run, so each part of the model adapts to the columns
that hold data, and every part left out is reported (``skipped``, shown in the asset's metadata and log):

- a comparison (``comparisons.Field``) whose columns are all empty (no value at all) is dropped;
- a blocking key over an empty column, or one that would generate more pairs than the budget (a value shared
  by too many accounts), is dropped (:func:`blocking.plan_blocking`);
- a deterministic rule for the prior is dropped on the same grounds (over budget it would call every pair a
  match);
- the expectation-maximisation sessions are chosen in ``training`` from the keys whose columns hold data.

An all-unique column needs nothing special: it never agrees, blocks no pair, and its "different" level still
weighs in.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from domain.ce.duplicates.blocking import (
    BLOCKING_KEYS,
    DETERMINISTIC_RULES,
    EM_KEYS,
    BlockingKey,
    BlockingPlan,
    key_pair_count,
    pair_budget,
    plan_blocking,
)
from domain.ce.duplicates.comparisons import FIELDS, Field
from domain.ce.duplicates.policy import DuplicatePolicy


@dataclass(frozen=True)
class ModelPlan:
    fields: tuple[Field, ...]  # the comparisons kept, in FIELDS order
    blocking: BlockingPlan
    deterministic_rules: tuple[tuple[str, ...], ...]
    empty_columns: frozenset[str]
    pair_budget: int  # most pairs one blocking key, rule or training session may generate
    skipped: tuple[str, ...]  # one readable line per part left out, with the reason
    #: pairs each candidate training session (``blocking.EM_KEYS``, by name) would see; None over empty
    #: columns
    session_pairs: dict[str, int | None]
    #: pairs the deterministic rules kept generate, each counted once per rule (a pair two rules find counts
    #: twice): 0 exactly when they find no pair at all
    deterministic_pairs: int = 0


def _profiled_columns() -> list[str]:
    cols = {c for f in FIELDS for c in f.columns}
    cols |= {c for k in (*BLOCKING_KEYS, *EM_KEYS) for c in k.columns}
    cols |= {c for rule in DETERMINISTIC_RULES for c in rule}
    return sorted(cols)


def empty_columns(accounts: ibis.Table) -> frozenset[str]:
    """Prepared columns without any value: nothing can agree or disagree on them."""
    cols = _profiled_columns()
    counts = accounts.aggregate([accounts[c].count().name(c) for c in cols]).to_pyarrow().to_pylist()[0]
    return frozenset(c for c in cols if counts[c] == 0)


def pair_count(accounts: ibis.Table, columns: tuple[str, ...]) -> int:
    return key_pair_count(accounts, BlockingKey(columns)).execute()


def plan_model(conn, table: str, n_accounts: int, policy: DuplicatePolicy) -> ModelPlan:
    accounts = ibis.duckdb.from_connection(conn).table(table)
    empty = empty_columns(accounts)
    budget = pair_budget(n_accounts, policy.blocking_pairs_per_account)
    skipped = []
    fields = []
    for field in FIELDS:
        if all(c in empty for c in field.columns):
            skipped.append(f"comparison {field.name}: column {', '.join(field.columns)} empty")
        else:
            fields.append(field)
    blocking = plan_blocking(accounts, set(empty), budget)
    skipped += blocking.skipped
    rules, rule_pairs = [], 0
    for rule in DETERMINISTIC_RULES:
        name = "+".join(rule)
        if any(c in empty for c in rule):
            skipped.append(f"prior rule {name}: column {', '.join(c for c in rule if c in empty)} empty")
        elif (pairs := pair_count(accounts, rule)) > budget:
            skipped.append(f"prior rule {name}: {pairs:,} pairs over the budget of {budget:,}")
        else:
            rules.append(rule)
            rule_pairs += pairs
    sessions = {
        key.name: None if any(c in empty for c in key.columns) else pair_count(accounts, key.columns)
        for key in EM_KEYS
    }
    return ModelPlan(
        tuple(fields), blocking, tuple(rules), empty, budget, tuple(skipped), sessions, rule_pairs
    )
