"""Training without labels, and the documented fallback when there is too little data to train.

- Enough accounts (``DuplicatePolicy.min_accounts_to_train`` or more): lambda from the deterministic rules the
  plan kept (assumed recall ``deterministic_rules_recall``), u by seeded random sampling, m by expectation
  maximisation. The sessions are tried in ``blocking.EM_KEYS`` order and run until every compared field was
  estimated in one (a session cannot estimate the fields it blocks on); a session over an empty column, with
  no pairs or over the pair budget is skipped and reported. Any level the data never shows keeps its fixed
  value from ``comparisons.py``; if the deterministic rules find no pair at all, lambda stays at the fixed
  prior.
- Fewer accounts: the fixed m/u of ``comparisons.py`` and lambda = ``model.fixed_prior(n, share)``.
- Either way, once the CE team has merged ``DuplicatePolicy.min_labels_to_train`` pairs or more, those pairs
  are labels: Splink's ``estimate_m_from_pairwise_labels`` estimates m from them as one more training session
  (Splink averages each level's m over the sessions that observed it; levels with a fixed m keep it). The
  pairs they kept separate are the other labels: they never link a cluster (``detect``) and measure the
  model's agreement with the team (``evaluation.agreement_with_decisions``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from splink.internals.exceptions import SplinkException

from domain.ce.duplicates.blocking import EM_KEYS, BlockingKey, rule_sql
from domain.ce.duplicates.plan import ModelPlan
from domain.ce.duplicates.policy import DuplicatePolicy

TRAINED = "trained"
FIXED = "fixed"


@dataclass(frozen=True)
class TrainingReport:
    mode: str  # TRAINED or FIXED
    n_accounts: int
    prior: float  # probability two random accounts match, as used for scoring
    #: EM sessions that did not converge cleanly (their values were not kept)
    failed_sessions: tuple[str, ...] = ()
    #: parts of the model left out because the data cannot carry them, one readable line each
    skipped: tuple[str, ...] = ()
    #: EM sessions that ran, by their blocking key
    sessions: tuple[str, ...] = ()
    #: merged pairs the m probabilities were also estimated from (0: too few decisions yet)
    labelled_pairs: int = 0


def _prior(linker) -> float:
    return linker.misc.save_model_to_json()["probability_two_random_records_match"]


def _estimated_by(key: BlockingKey, plan: ModelPlan) -> set[str]:
    """Fields a session blocked on ``key`` can estimate: those not reading a blocked-on column."""
    return {f.name for f in plan.fields if not set(f.columns) & set(key.columns)}


def _learn_from_decisions(linker, merged: list[tuple[str, str]], policy: DuplicatePolicy) -> int:
    if len(merged) < policy.min_labels_to_train:
        return 0
    labels = pa.table({"account_id_l": [min(p) for p in merged], "account_id_r": [max(p) for p in merged]})
    table = linker.table_management.register_table(labels, "dup_labels", overwrite=True)
    linker.training.estimate_m_from_pairwise_labels(table)
    return len(merged)


def train(
    linker, n_accounts: int, policy: DuplicatePolicy, plan: ModelPlan, merged: list[tuple[str, str]] = ()
) -> TrainingReport:
    """``merged``: account pairs the CE team merged (labels), as (smaller, larger), only accounts in the
    data."""
    merged = sorted(merged)
    if n_accounts < policy.min_accounts_to_train:
        labelled = _learn_from_decisions(linker, merged, policy)
        return TrainingReport(
            FIXED, n_accounts, _prior(linker), skipped=plan.skipped, labelled_pairs=labelled
        )
    training = linker.training
    # The plan counted each rule's pairs already (the same equality join Splink makes): no pair from any
    # rule is no pair from their union
    if plan.deterministic_rules and plan.deterministic_pairs > 0:
        training.estimate_probability_two_random_records_match(
            [rule_sql(r) for r in plan.deterministic_rules], recall=policy.deterministic_rules_recall
        )
    training.estimate_u_using_random_sampling(max_pairs=policy.u_max_pairs, seed=policy.seed)
    skipped, failed, ran = list(plan.skipped), [], []
    to_estimate = {f.name for f in plan.fields}
    for key in EM_KEYS:
        gain = _estimated_by(key, plan) & to_estimate
        if not gain:
            continue
        empty = [c for c in key.columns if c in plan.empty_columns]
        if empty:
            skipped.append(f"training session {key.name}: column {', '.join(empty)} empty")
            continue
        pairs = plan.session_pairs[key.name]
        if pairs == 0:
            skipped.append(f"training session {key.name}: no pairs agree on it")
            continue
        if pairs > plan.pair_budget:
            skipped.append(
                f"training session {key.name}: {pairs:,} pairs over the budget of {plan.pair_budget:,}"
            )
            continue
        # A session takes its blocked-on comparisons out of the model and sets its own lambda, and puts them
        # back only when it succeeds (Splink 5): a failed session would leave the model without those
        # comparisons.
        model = linker._settings_obj.core_model_settings
        comparisons, prior = list(model.comparisons), model.probability_two_random_records_match
        try:
            training.estimate_parameters_using_expectation_maximisation(
                key.splink_rule(), estimate_without_term_frequencies=True
            )
        except (ValueError, SplinkException):
            # Splink refuses an m that underflows float64 (a level no duplicate shows) or a session without
            # pairs; the session's values are discarded and the previous ones (fixed or from another session)
            # stay.
            model.comparisons, model.probability_two_random_records_match = comparisons, prior
            failed.append(key.name)
            continue
        ran.append(key.name)
        to_estimate -= gain
    labelled = _learn_from_decisions(linker, merged, policy)
    return TrainingReport(
        TRAINED, n_accounts, _prior(linker), tuple(failed), tuple(skipped), tuple(ran), labelled
    )
