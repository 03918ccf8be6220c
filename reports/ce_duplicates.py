"""The CE team's duplicate-account queue: clusters with their accounts side by side, the evidence, the decisions.

Reads the published ``marts.duplicate_account_clusters``, ``marts.duplicate_account_pairs`` and
``marts.ce_accounts`` (``assets/ce_accounts_mart.py``), and the decisions of the state store
(``reports.state``). Only the CE team and admins may call anything here.

Read defensively: of the duplicate marts only ``cluster_id, account_id, cluster_size, classification`` (clusters)
and ``account_id_l, account_id_r, match_probability, evidence`` (pairs) are required; the survivor columns,
``match_weight``, the ``*_level`` columns and ``marts.ce_accounts`` itself are used when present.

A decision belongs to a cluster by its ``cluster_id`` (else by its pair, else by its survivor). A merge moves
every other account of the cluster into the chosen survivor. Whether the pipeline has applied a merge (or its
undo) is read from ``marts.ce_account_survivors(account_id, survivor_account_id)`` in the snapshot: until it
shows the change, the queue says "applied by the next materialize".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from domain.settings import Settings
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.learning_access import MARTS, marts
from reports.principal import Principal, Role
from reports.state import Decision, DecisionAction, InvalidDecision, list_decisions, record_decision

CLUSTERS = "duplicate_account_clusters"
PAIRS = "duplicate_account_pairs"
ACCOUNTS = "ce_accounts"
SURVIVORS = "ce_account_survivors"

THIRD_ACCOUNT = "third_account"
CLASSIFICATION_LABELS = {
    "personal_plus_organisation": "personal + organisation",
    THIRD_ACCOUNT: "third account",
    "other": "other",
}

PENDING_MERGE = "Merge recorded: applied by the next materialize."
PENDING_UNDO = "Undo recorded: applied by the next materialize."


class QueueView(StrEnum):
    UNDECIDED = "undecided"
    DECIDED = "decided"
    THIRD_ACCOUNTS = "third_accounts"
    ALL = "all"


class Status(StrEnum):
    UNDECIDED = "undecided"
    MERGED = "merged"
    KEPT_SEPARATE = "kept_separate"
    #: merged earlier, but the cluster now holds an account the merge did not cover: decide again.
    NEEDS_REVIEW = "needs_review"


#: Side-by-side rows: (attribute of AccountCard, label).
ACCOUNT_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("email_marked", "E-mail"),
    ("login_method", "Login"),
    ("mobile_phone", "Mobile phone"),
    ("birth_date", "Birth date"),
    ("license", "License"),
    ("npi", "NPI"),
    ("address", "Address"),
    ("degree", "Degree"),
    ("person_id", "Person"),
    ("created_at", "Created"),
)


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
    is_recommended_survivor: bool = False

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


@dataclass(frozen=True)
class PairEvidence:
    account_id_l: str
    account_id_r: str
    match_probability: float
    evidence: str
    match_weight: float | None = None
    levels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterCase:
    cluster_id: str
    classification: str
    accounts: tuple[AccountCard, ...]
    pairs: tuple[PairEvidence, ...]
    recommended_survivor_account_id: str | None
    status: Status
    #: the merge / keep-separate decision in force (not undone), if any
    current: Decision | None
    #: every decision on this cluster, undos included, oldest first
    history: tuple[Decision, ...]
    #: set while the snapshot does not yet show the latest merge or undo
    pending: str | None

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


def _require(principal: Principal) -> None:
    principal.require(Role.CE_TEAM, Role.ADMIN)


# ---------------------------------------------------------------------------------------------- snapshot reads


def _tables(conn) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [MARTS]
    ).fetchall()
    return {r[0] for r in rows}


def _frame(
    conn, table: str, wanted: Sequence[str], required: Sequence[str], account_ids: list[str] | None = None
) -> pd.DataFrame:
    """``wanted`` columns of ``marts.<table>`` that exist (missing optional ones are NULL); clear error otherwise."""
    t = marts(conn).table(table, database=MARTS)
    missing = [c for c in required if c not in t.columns]
    if missing:
        raise ValueError(f"marts.{table}: missing column(s) {', '.join(missing)} in the published snapshot")
    if account_ids is not None:
        t = t.filter(t.account_id.isin(account_ids))
    frame = t.select(*[c for c in wanted if c in t.columns]).to_pyarrow().to_pandas()
    for c in wanted:
        if c not in frame.columns:
            frame[c] = None
    return frame


def _clean(value):
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


CLUSTER_WANTED = (
    "cluster_id",
    "account_id",
    "classification",
    "recommended_survivor_account_id",
    "is_recommended_survivor",
    "login_method",
)
CLUSTER_REQUIRED = ("cluster_id", "account_id", "classification")
CARD_FIELDS = tuple(f for f in AccountCard.__dataclass_fields__ if f != "is_recommended_survivor")


def _cards(conn, tables: set[str], members: pd.DataFrame) -> dict[str, list[AccountCard]]:
    """Each cluster's accounts with their details from ``marts.ce_accounts`` (ids only when it is missing)."""
    details = pd.DataFrame(columns=["account_id"])
    if ACCOUNTS in tables:
        details = _frame(conn, ACCOUNTS, CARD_FIELDS, ["account_id"], [str(a) for a in members["account_id"]])
    joined = members.merge(details, on="account_id", how="left", suffixes=("_cluster", ""))
    by_cluster: dict[str, list[AccountCard]] = {}
    for row in joined.to_dict("records"):
        values = {k: _clean(row[k]) for k in CARD_FIELDS if k in row}
        values |= {
            "account_id": str(row["account_id"]),
            # the accounts mart's login method, else the clusters mart's
            "login_method": _clean(row.get("login_method")) or _clean(row.get("login_method_cluster")),
            "is_recommended_survivor": bool(_clean(row.get("is_recommended_survivor"))),
        }
        by_cluster.setdefault(str(row["cluster_id"]), []).append(AccountCard(**values))
    return by_cluster


def _pairs(conn, cluster_of: dict[str, str]) -> dict[str, list[PairEvidence]]:
    t = marts(conn).table(PAIRS, database=MARTS)
    for c in ("account_id_l", "account_id_r", "match_probability", "evidence"):
        if c not in t.columns:
            raise ValueError(f"marts.{PAIRS}: missing column {c} in the published snapshot")
    level_columns = [c for c in t.columns if c.endswith("_level")]
    wanted = ["account_id_l", "account_id_r", "match_probability", "evidence", "match_weight", *level_columns]
    accounts = list(cluster_of)
    t = t.filter(t.account_id_l.isin(accounts) & t.account_id_r.isin(accounts))
    frame = t.select(*[c for c in wanted if c in t.columns]).to_pyarrow().to_pandas()
    out: dict[str, list[PairEvidence]] = {}
    for row in frame.to_dict("records"):
        left, right = str(row["account_id_l"]), str(row["account_id_r"])
        cluster = cluster_of.get(left)
        if cluster is None or cluster != cluster_of.get(right):
            continue  # a review pair between two clusters: evidence of neither
        out.setdefault(cluster, []).append(
            PairEvidence(
                account_id_l=left,
                account_id_r=right,
                match_probability=float(row["match_probability"]),
                evidence=str(_clean(row.get("evidence")) or ""),
                match_weight=_clean(row.get("match_weight")),
                levels={c.removesuffix("_level"): row[c] for c in level_columns if _clean(row.get(c)) is not None},
            )
        )
    for pairs in out.values():
        pairs.sort(key=lambda p: (-p.match_probability, p.account_id_l, p.account_id_r))
    return out


def _survivor_map(conn, tables: set[str]) -> dict[str, str] | None:
    """What the snapshot has applied: merged account → survivor; None when the snapshot has no such table."""
    if SURVIVORS not in tables:
        return None
    rows = conn.execute(f"SELECT account_id, survivor_account_id FROM {MARTS}.{SURVIVORS}").fetchall()
    return {str(a): str(s) for a, s in rows}


# ---------------------------------------------------------------------------------------------- decisions


def _cluster_of_decision(d: Decision, members: dict[str, set[str]], cluster_of: dict[str, str]) -> str | None:
    if d.cluster_id and d.cluster_id in members:
        return d.cluster_id
    if d.account_id_l and d.account_id_r and cluster_of.get(d.account_id_l) == cluster_of.get(d.account_id_r):
        return cluster_of.get(d.account_id_l)
    if d.survivor_account_id:
        return cluster_of.get(d.survivor_account_id)
    return None


def _decisions_by_cluster(
    history: list[Decision], members: dict[str, set[str]], cluster_of: dict[str, str]
) -> dict[str, list[Decision]]:
    by_id = {d.id: d for d in history}
    out: dict[str, list[Decision]] = {}
    for d in history:
        # an undo follows the decision it reverses, wherever that one belongs
        anchor = by_id.get(d.undoes_decision_id, d) if d.action is DecisionAction.UNDO else d
        cluster = _cluster_of_decision(anchor, members, cluster_of)
        if cluster is not None:
            out.setdefault(cluster, []).append(d)
    return out


def _in_force(history: Sequence[Decision]) -> Decision | None:
    undone = {d.undoes_decision_id for d in history if d.action is DecisionAction.UNDO}
    live = [d for d in history if d.action is not DecisionAction.UNDO and d.id not in undone]
    return live[-1] if live else None


def _merge_applied(d: Decision, survivors: dict[str, str] | None) -> bool:
    return survivors is not None and all(survivors.get(m) == d.survivor_account_id for m in d.merged_account_ids)


def _undo_applied(d: Decision, survivors: dict[str, str] | None) -> bool:
    if survivors is None:
        return False  # nothing says the pipeline has run since: keep saying it is pending
    return all(survivors.get(m) != d.survivor_account_id for m in d.merged_account_ids)


def _status_and_pending(
    history: Sequence[Decision], account_ids: set[str], survivors: dict[str, str] | None
) -> tuple[Status, Decision | None, str | None]:
    current = _in_force(history)
    if current is None:
        status = Status.UNDECIDED
    elif current.action is DecisionAction.KEEP_SEPARATE:
        status = Status.KEPT_SEPARATE
    elif account_ids <= {current.survivor_account_id, *current.merged_account_ids}:
        status = Status.MERGED
    else:
        status = Status.NEEDS_REVIEW
    pending = None
    by_id = {d.id: d for d in history}
    last = history[-1] if history else None
    if current is not None and current.action is DecisionAction.MERGE and not _merge_applied(current, survivors):
        pending = PENDING_MERGE
    elif last is not None and last.action is DecisionAction.UNDO:
        reversed_ = by_id.get(last.undoes_decision_id)
        if reversed_ is not None and reversed_.action is DecisionAction.MERGE and not _undo_applied(reversed_, survivors):
            pending = PENDING_UNDO
    return status, current, pending


# ---------------------------------------------------------------------------------------------- the queue


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
    """The clusters of likely duplicate accounts in ``view``, third accounts first, then by best match.

    ``conn``: the published snapshot; ``settings``: where the decisions are stored.
    """
    _require(principal)
    view = QueueView(view)
    tables = _tables(conn)
    for needed in (CLUSTERS, PAIRS):
        if needed not in tables:
            raise ValueError(f"marts.{needed} is not in the published snapshot: run `portalytics materialize`")
    facts = _frame(conn, CLUSTERS, CLUSTER_WANTED, CLUSTER_REQUIRED)
    cards = _cards(conn, tables, facts)
    cluster_of = {str(a): str(c) for a, c in zip(facts["account_id"], facts["cluster_id"], strict=True)}
    members: dict[str, set[str]] = {}
    for account, cluster in cluster_of.items():
        members.setdefault(cluster, set()).add(account)
    pairs = _pairs(conn, cluster_of)
    survivors = _survivor_map(conn, tables)
    decisions = _decisions_by_cluster(list_decisions(settings), members, cluster_of)

    cases = []
    for cluster_id, group in facts.groupby("cluster_id", sort=True):
        cluster_id = str(cluster_id)
        history = tuple(decisions.get(cluster_id, ()))
        status, current, pending = _status_and_pending(history, members[cluster_id], survivors)
        recommended = _recommended(group)
        accounts = sorted(cards.get(cluster_id, []), key=lambda a: (a.account_id != recommended, a.account_id))
        case = ClusterCase(
            cluster_id=cluster_id,
            classification=str(group["classification"].iloc[0]),
            accounts=tuple(accounts),
            pairs=tuple(pairs.get(cluster_id, ())),
            recommended_survivor_account_id=recommended,
            status=status,
            current=current,
            history=history,
            pending=pending,
        )
        if _in_view(case, view):
            cases.append(case)
    cases.sort(key=lambda c: (not c.is_third_account, -(c.best_probability or 0.0), c.cluster_id))
    return cases


def _recommended(group: pd.DataFrame) -> str | None:
    named = [v for v in group["recommended_survivor_account_id"] if _clean(v) is not None]
    if named:
        return str(named[0])
    flagged = group[group["is_recommended_survivor"].fillna(False).astype(bool)]
    return str(flagged["account_id"].iloc[0]) if len(flagged) else None


def find_case(principal: Principal, conn, settings: Settings, cluster_id: str) -> ClusterCase:
    """One cluster of the queue, whatever its status (a fresh read: decisions may have changed)."""
    for case in duplicate_queue(principal, conn, settings, QueueView.ALL):
        if case.cluster_id == cluster_id:
            return case
    raise InvalidDecision(f"cluster {cluster_id} is not in the published snapshot")


# ---------------------------------------------------------------------------------------------- actions


def _fresh_current(settings: Settings, case: ClusterCase) -> Decision | None:
    """The decision in force on ``case`` now, from the store (someone else may have decided since the read)."""
    ids = set(case.account_ids)
    members = {case.cluster_id: ids}
    cluster_of = dict.fromkeys(ids, case.cluster_id)
    return _in_force(_decisions_by_cluster(list_decisions(settings), members, cluster_of).get(case.cluster_id, []))


def _require_undecided(settings: Settings, case: ClusterCase) -> None:
    current = _fresh_current(settings, case)
    if current is not None:
        raise InvalidDecision(
            f"cluster {case.cluster_id} already has decision {current.id} ({current.action.value} by "
            f"{current.decided_by}); undo it first"
        )


def merge_cluster(
    settings: Settings, principal: Principal, case: ClusterCase, survivor_account_id: str, reason: str
) -> int:
    """Merge every other account of ``case`` into ``survivor_account_id``; returns the decision id (audited)."""
    _require(principal)
    if survivor_account_id not in case.account_ids:
        raise InvalidDecision(f"account {survivor_account_id} is not in cluster {case.cluster_id}")
    _require_undecided(settings, case)
    merged = [a for a in case.account_ids if a != survivor_account_id]
    return record_decision(
        settings,
        principal,
        DecisionAction.MERGE,
        reason=reason,
        cluster_id=case.cluster_id,
        survivor_account_id=survivor_account_id,
        merged_account_ids=merged,
    )


def keep_separate(settings: Settings, principal: Principal, case: ClusterCase, reason: str) -> int:
    """Record that the accounts of ``case`` are different people; the cluster leaves the undecided queue."""
    _require(principal)
    _require_undecided(settings, case)
    return record_decision(settings, principal, DecisionAction.KEEP_SEPARATE, reason=reason, cluster_id=case.cluster_id)


def undo_decision(settings: Settings, principal: Principal, case: ClusterCase, reason: str) -> int:
    """Reverse the decision in force on ``case`` (a merge or a keep-separate); the cluster is undecided again."""
    _require(principal)
    current = _fresh_current(settings, case)
    if current is None:
        raise InvalidDecision(f"cluster {case.cluster_id} has no decision to undo")
    return record_decision(settings, principal, DecisionAction.UNDO, reason=reason, undoes_decision_id=current.id)


# ---------------------------------------------------------------------------------------------- presentation


STATUS_LABELS = {
    Status.UNDECIDED: "undecided",
    Status.MERGED: "merged",
    Status.KEPT_SEPARATE: "kept separate",
    Status.NEEDS_REVIEW: "merged, new account since",
}


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def account_heading(case: ClusterCase, account: AccountCard) -> str:
    return f"{account.account_id} ★ recommended" if account.account_id == case.recommended_survivor_account_id else account.account_id


def side_by_side(case: ClusterCase) -> pd.DataFrame:
    """One column per account (the recommended survivor first, starred), one row per field."""
    return pd.DataFrame(
        {account_heading(case, a): [_fmt(getattr(a, attr)) for attr, _ in ACCOUNT_FIELDS] for a in case.accounts},
        index=[label for _, label in ACCOUNT_FIELDS],
    )


def pairs_frame(case: ClusterCase) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "accounts": f"{p.account_id_l} / {p.account_id_r}",
                "match probability": round(p.match_probability, 4),
                "evidence": p.evidence,
            }
            for p in case.pairs
        ],
        columns=["accounts", "match probability", "evidence"],
    )


def history_frame(case: ClusterCase) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "decision": d.id,
                "action": d.action.value.replace("_", " ")
                + (f" of {d.undoes_decision_id}" if d.undoes_decision_id else ""),
                "survivor": d.survivor_account_id or "",
                "merged": ", ".join(d.merged_account_ids),
                "by": d.decided_by,
                "when (UTC)": d.decided_at.strftime("%Y-%m-%d %H:%M"),
                "why": d.reason,
            }
            for d in case.history
        ],
        columns=["decision", "action", "survivor", "merged", "by", "when (UTC)", "why"],
    )


QUEUE_COLUMNS = ("cluster", "kind", "accounts", "best match", "recommended survivor", "status", "decided by", "pending")


def queue_frame(cases: Sequence[ClusterCase]) -> pd.DataFrame:
    """One row per cluster: what the queue lists."""
    return pd.DataFrame(
        [
            {
                "cluster": c.cluster_id,
                "kind": ("⚠ " if c.is_third_account else "") + CLASSIFICATION_LABELS.get(c.classification, c.classification),
                "accounts": len(c.accounts),
                "best match": round(c.best_probability, 4) if c.best_probability is not None else None,
                "recommended survivor": c.recommended_survivor_account_id or "",
                "status": STATUS_LABELS[c.status],
                "decided by": c.current.decided_by if c.current else "",
                "pending": c.pending or "",
            }
            for c in cases
        ],
        columns=list(QUEUE_COLUMNS),
    )


#: Export: one row per account of each cluster listed.
EXPORT_HEADER = (
    "Cluster",
    "Kind",
    "Status",
    "Account",
    "Recommended survivor",
    "Name",
    "E-mail",
    "E-mail domain",
    "Login",
    "Mobile phone",
    "Birth date",
    "License",
    "NPI",
    "Address",
    "Created",
    "Best match",
    "Decided by",
    "Decision reason",
)


def _export_rows(cases: Sequence[ClusterCase]) -> list[list]:
    rows = []
    for c in cases:
        for a in c.accounts:
            rows.append(
                [
                    c.cluster_id,
                    CLASSIFICATION_LABELS.get(c.classification, c.classification),
                    STATUS_LABELS[c.status],
                    a.account_id,
                    "yes" if a.account_id == c.recommended_survivor_account_id else "",
                    a.name,
                    a.email,
                    a.email_domain_kind,
                    a.login_method,
                    a.mobile_phone,
                    a.birth_date,
                    a.license,
                    a.npi,
                    a.address,
                    a.created_at,
                    c.best_probability,
                    c.current.decided_by if c.current else None,
                    c.current.reason if c.current else None,
                ]
            )
    return rows


def queue_csv(cases: Sequence[ClusterCase]) -> tuple[bytes, int]:
    """The listed clusters, one row per account, as CSV (formula guard applied); returns (bytes, rows)."""
    rows = _export_rows(cases)
    return csv_bytes(EXPORT_HEADER, rows), len(rows)


def queue_excel(cases: Sequence[ClusterCase]) -> tuple[bytes, int]:
    rows = _export_rows(cases)
    return workbook_bytes([Sheet("Duplicate queue", EXPORT_HEADER, rows)]), len(rows)
