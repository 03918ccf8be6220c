"""Training without labels, and the documented fallback when there is too little data to train.

- Enough accounts (``DuplicatePolicy.min_accounts_to_train`` or more): lambda from deterministic rules
  (``blocking.DETERMINISTIC_RULES``, assumed recall ``deterministic_rules_recall``), u by seeded random sampling,
  m by expectation maximisation in the sessions of ``blocking.EM_KEYS``. Any level the data never shows keeps
  its fixed value from ``comparisons.py``; if the deterministic rules find no pair at all, lambda stays at the
  fixed prior.
- Fewer accounts: the fixed m/u of ``comparisons.py`` and lambda = ``model.fixed_prior(n, share)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.duplicates.blocking import DETERMINISTIC_RULES, EM_KEYS
from domain.duplicates.policy import DuplicatePolicy

TRAINED = "trained"
FIXED = "fixed"


@dataclass(frozen=True)
class TrainingReport:
    mode: str  # TRAINED or FIXED
    n_accounts: int
    prior: float  # probability two random accounts match, as used for scoring
    failed_sessions: tuple[
        str, ...
    ] = ()  # EM sessions that did not converge cleanly (their values were not kept)


def _prior(linker) -> float:
    return linker.misc.save_model_to_json()["probability_two_random_records_match"]


def train(linker, n_accounts: int, policy: DuplicatePolicy) -> TrainingReport:
    if n_accounts < policy.min_accounts_to_train:
        return TrainingReport(FIXED, n_accounts, _prior(linker))
    training = linker.training
    rules = list(DETERMINISTIC_RULES)
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(
        rules, record_sample_proportion=1.0
    )
    if counts and counts[-1]["cumulative_comparison_count"] > 0:
        training.estimate_probability_two_random_records_match(
            rules, recall=policy.deterministic_rules_recall
        )
    training.estimate_u_using_random_sampling(max_pairs=policy.u_max_pairs, seed=policy.seed)
    failed = []
    for key in EM_KEYS:
        try:
            training.estimate_parameters_using_expectation_maximisation(
                key.splink_rule(), estimate_without_term_frequencies=True
            )
        except ValueError:
            # Splink refuses an m that underflows float64 (a level no duplicate shows); the session's values are
            # discarded and the previous ones (fixed or from the other session) stay.
            failed.append(key.name)
    return TrainingReport(TRAINED, n_accounts, _prior(linker), tuple(failed))
