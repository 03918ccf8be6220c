"""The knobs of duplicate-account detection, with the defaults the product runs on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DuplicatePolicy:
    #: Pairs at or above this match probability are linked into one cluster (connected components).
    match_threshold: float = 0.9
    #: Pairs below this match probability are not published at all; those in [review, match) are "review"
    #: pairs.
    review_threshold: float = 0.5
    #: Below this many accounts there are too few random pairs for u and too few duplicates for EM to be
    #: trustworthy, so the documented fixed m/u of ``comparisons.py`` are used as they are.
    min_accounts_to_train: int = 500
    #: Expected share of accounts that have a duplicate; fixes the prior (lambda) when the model is not
    #: trained.
    prior_duplicate_share: float = 0.05
    #: Random pairs sampled to estimate u (Splink's ``max_pairs``).
    u_max_pairs: float = 2e6
    #: Recall assumed for the deterministic rules that estimate lambda on trained runs.
    deterministic_rules_recall: float = 0.8
    #: Seed of the random sampling, so reruns give identical marts.
    seed: int = 42
    #: Decimals kept of match probability and weight: reruns compare equal even if float sums differ in the
    #: last bit.
    decimals: int = 6
    #: E-mail domains of the organisation. Empty = learn them from SSO accounts (the domains their e-mails
    #: use).
    organisation_domains: tuple[str, ...] = ()
    #: Most pairs one blocking key, prior rule or training session may generate, per account: a key over a
    #: constant column would otherwise compare every pair (n²/2, i.e. n/2 per account).
    blocking_pairs_per_account: float = 50.0
    #: Merged pairs (CE team decisions) needed before they are used as labels for m: fewer say little.
    min_labels_to_train: int = 20
