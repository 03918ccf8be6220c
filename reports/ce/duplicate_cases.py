"""What the CE duplicate queue shows: a cluster's accounts side by side, the pairs' evidence, its decisions.

The view dataclasses of ``reports.ce.duplicates`` (the queue), built from the marts by
``reports.ce.duplicate_marts`` and given their status by ``reports.ce.duplicate_decisions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from domain.ce.duplicates.classification import (
    ORGANISATION,
    OTHER,
    PERSONAL_PLUS_ORGANISATION,
    THIRD_ACCOUNT,
    is_organisation_account,
)
from reports.principal import Principal, Role
from reports.state import Decision, DecisionAction

CLASSIFICATION_LABELS = {
    PERSONAL_PLUS_ORGANISATION: "personal + organisation",
    THIRD_ACCOUNT: "third account",
    OTHER: "other",
}

PENDING = {
    DecisionAction.MERGE: "Merge recorded: applied by the next materialize.",
    DecisionAction.KEEP_SEPARATE: "Keep separate recorded: applied by the next materialize.",
    DecisionAction.UNDO: "Undo recorded: applied by the next materialize.",
}
PENDING_MERGE = PENDING[DecisionAction.MERGE]
PENDING_KEEP_SEPARATE = PENDING[DecisionAction.KEEP_SEPARATE]
PENDING_UNDO = PENDING[DecisionAction.UNDO]


class QueueView(StrEnum):
    UNDECIDED = "undecided"
    DECIDED = "decided"
    THIRD_ACCOUNTS = "third_accounts"
    ALL = "all"


class Status(StrEnum):
    UNDECIDED = "undecided"
    MERGED = "merged"
    KEPT_SEPARATE = "kept_separate"
    #: decided earlier, but the cluster now holds an account the decision did not cover: decide again.
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class AccountCard:
    account_id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    email_domain_kind: str | None = None  # organisation | personal
    degree: str | None = None
    mobile_phone: str | None = None  # masked in the mart: ***-***-1234
    birth_date: dt.date | None = None
    license_state: str | None = None
    license_number: str | None = None
    npi: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    login_method: str | None = None
    person_id: str | None = None
    created_at: dt.datetime | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def email_marked(self) -> str:
        if not self.email:
            return ""
        return f"{self.email} ({self.email_domain_kind})" if self.email_domain_kind else self.email

    @property
    def license(self) -> str:
        return " ".join(p for p in (self.license_state, self.license_number) if p)

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.postal_code) if p)

    @property
    def is_organisation(self) -> bool:
        return is_organisation_account(self.login_method, self.email_domain_kind == ORGANISATION)


@dataclass(frozen=True)
class PairEvidence:
    account_id_l: str
    account_id_r: str
    match_probability: float
    evidence: str
    match_weight: float | None = None
    #: the pairs mart's ``decision`` ('kept_separate' once the pipeline applied one)
    decision: str | None = None
    levels: dict[str, str] = field(default_factory=dict)
    #: the match weight's waterfall: ``prior`` and each field's weight, in the mart's order (empty when the
    #: snapshot predates the ``*_weight`` columns)
    weights: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterCase:
    #: the clusters mart's id; ``A+B`` for the accounts of a decision whose cluster is no longer found
    cluster_id: str
    classification: str
    accounts: tuple[AccountCard, ...]
    pairs: tuple[PairEvidence, ...]
    recommended_survivor_account_id: str | None
    status: Status
    #: the merge / keep-separate decision in force (not undone), if any
    current: Decision | None
    #: every decision on these accounts, undos included, oldest first
    history: tuple[Decision, ...]
    #: set while the snapshot does not yet show the latest decision
    pending: str | None
    #: False for a decision's accounts that no longer form a cluster in the snapshot
    in_snapshot: bool = True

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.account_id for a in self.accounts)

    @property
    def is_third_account(self) -> bool:
        return self.classification == THIRD_ACCOUNT or len(self.accounts) >= 3

    @property
    def is_decided(self) -> bool:
        return self.status in (Status.MERGED, Status.KEPT_SEPARATE)

    @property
    def best_probability(self) -> float | None:
        return max((p.match_probability for p in self.pairs), default=None)


def require_ce_team(principal: Principal) -> None:
    """Only the CE team and admins may read the queue or decide."""
    principal.require(Role.CE_TEAM, Role.ADMIN)
