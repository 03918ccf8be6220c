"""The CE team's duplicate-account queue: clusters with their accounts side by side, the evidence, the decisions.

Reads the published ``marts.duplicate_account_clusters``, ``marts.duplicate_account_pairs`` and
``marts.ce_accounts`` (``assets/ce/accounts_mart.py``), what the pipeline has applied (``marts.ce_merge_decisions``
and ``marts.ce_account_survivors``, ``assets/ce/merges.py``), and the decisions in the state store
(``reports.state``), which may be newer than the snapshot. Only the CE team and admins may call anything here.

Read defensively: of the duplicate marts only ``cluster_id, account_id, classification`` (clusters) and
``account_id_l, account_id_r, match_probability, evidence`` (pairs) are required; the survivor columns,
``match_weight``, ``decision``, the ``*_level`` columns and the other marts are used when present.

Which cluster a decision is about: the accounts it concerns (``domain.ce.merges.resolve_accounts``: a merge's
survivor and merged accounts, a keep-separate's pair, else the accounts the pipeline resolved, else its cluster's
members now) against the clusters now; the cluster holding most of them (at least two) wins. Cluster ids are not
stable (a new cluster may reuse the id of one kept separate), accounts are. After a keep-separate is applied its
accounts stop forming a cluster; the queue still lists the decision, under the id ``A+B`` of its accounts.

"Applied": a decision is applied once the published ``marts.ce_merge_decisions`` lists it (without that mart, a
merge once ``marts.ce_account_survivors`` maps its accounts to the survivor); until then the cluster says
"applied by the next materialize".
"""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from domain.ce.duplicates.evaluation import DecisionAgreement, agreement_with_decisions
from domain.ce.merges import resolve_accounts
from domain.settings import Settings
from domain.sql_text import quote_ident
from reports.learning.access import MARTS
from reports.principal import Principal, Role
from reports.state import Decision, DecisionAction, InvalidDecision, list_decisions, record_decision

CLUSTERS = "duplicate_account_clusters"
PAIRS = "duplicate_account_pairs"
ACCOUNTS = "ce_accounts"
SURVIVORS = "ce_account_survivors"
DECISIONS = "ce_merge_decisions"

THIRD_ACCOUNT = "third_account"
PERSONAL_PLUS_ORGANISATION = "personal_plus_organisation"
OTHER = "other"
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
        return self.login_method == "sso" or self.email_domain_kind == "organisation"


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


def _require(principal: Principal) -> None:
    principal.require(Role.CE_TEAM, Role.ADMIN)


# ---------------------------------------------------------------------------------------------- snapshot reads
# Plain SQL to Arrow to Python rows: the queue is a few thousand small rows, where a pandas group-by or an Ibis
# compile per query costs more than DuckDB's own work.


def _columns(conn) -> dict[str, set[str]]:
    """Table → its columns, for every table of ``marts`` in the snapshot."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?", [MARTS]
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _clean(value):
    """None for SQL NULL and NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _records(
    conn,
    columns: dict[str, set[str]],
    table: str,
    wanted: Sequence[str],
    required: Sequence[str],
    where: str = "",
    params: Sequence = (),
) -> list[dict]:
    """Rows of ``marts.<table>`` as dicts of ``wanted`` columns (NULL for those the snapshot lacks)."""
    present = columns.get(table, set())
    missing = [c for c in required if c not in present]
    if missing:
        raise ValueError(f"marts.{table}: missing column(s) {', '.join(missing)} in the published snapshot")
    select = ", ".join(quote_ident(c) if c in present else f"NULL AS {quote_ident(c)}" for c in wanted)
    sql = f"SELECT {select} FROM {MARTS}.{quote_ident(table)} {where}"
    return conn.sql(sql, params=list(params)).to_arrow_table().to_pylist()


def _of_accounts(column: str, ids: Sequence[str] | None) -> tuple[str, list]:
    """WHERE clause for rows whose ``column`` is one of ``ids``, or (None) any clustered account."""
    if ids is None:
        return f"WHERE {column} IN (SELECT account_id FROM {MARTS}.{CLUSTERS})", []
    return f"WHERE {column} IN ({', '.join('?' for _ in ids)})", list(ids)


CLUSTER_WANTED = (
    "cluster_id",
    "account_id",
    "classification",
    "recommended_survivor_account_id",
    "is_recommended_survivor",
    "login_method",
)
CARD_FIELDS = tuple(AccountCard.__dataclass_fields__)


def _cards(
    conn, columns: dict[str, set[str]], login: dict[str, str | None], ids: Sequence[str] | None
) -> dict[str, AccountCard]:
    """Cards of ``ids`` (None: of the clustered accounts, whose ids and login methods ``login`` holds) from
    ``marts.ce_accounts``; an account missing there keeps its id and the clusters mart's login method."""
    cards = {a: AccountCard(a, login_method=m) for a, m in login.items()}
    cards |= {a: AccountCard(a) for a in ids or () if a not in cards}
    if ACCOUNTS not in columns:
        return cards
    where, params = _of_accounts("account_id", ids)
    for row in _records(conn, columns, ACCOUNTS, CARD_FIELDS, ["account_id"], where, params):
        # Arrow gives None for NULL and no card field is a float, so the row needs no cleaning.
        account_id = row["account_id"] = str(row["account_id"])
        row["login_method"] = row["login_method"] or login.get(account_id)
        cards[account_id] = AccountCard(**row)
    return cards


def _weight_columns(conn) -> list[str]:
    """The pairs mart's ``*_weight`` columns (``prior_weight`` first, then the fields) in the mart's order."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [MARTS, PAIRS],
    ).fetchall()
    return [r[0] for r in rows if r[0].endswith("_weight") and r[0] != "match_weight"]


def _pairs(conn, columns: dict[str, set[str]], ids: Sequence[str] | None) -> dict[str, list[PairEvidence]]:
    """Pairs whose left account is one of ``ids`` (None: a clustered account), by left account, best first."""
    levels = sorted(c for c in columns.get(PAIRS, ()) if c.endswith("_level"))
    weights = _weight_columns(conn) if PAIRS in columns else []
    wanted = [
        "account_id_l",
        "account_id_r",
        "match_probability",
        "evidence",
        "match_weight",
        "decision",
        *levels,
        *weights,
    ]
    required = ["account_id_l", "account_id_r", "match_probability", "evidence"]
    where, params = _of_accounts("account_id_l", ids)
    out = [
        PairEvidence(
            account_id_l=str(row["account_id_l"]),
            account_id_r=str(row["account_id_r"]),
            match_probability=float(row["match_probability"]),
            evidence=str(_clean(row["evidence"]) or ""),
            match_weight=_clean(row["match_weight"]),
            decision=_clean(row["decision"]),
            levels={c.removesuffix("_level"): row[c] for c in levels if _clean(row[c]) is not None},
            weights={c.removesuffix("_weight"): float(row[c]) for c in weights if _clean(row[c]) is not None},
        )
        for row in _records(conn, columns, PAIRS, wanted, required, where, params)
    ]
    pairs_of: dict[str, list[PairEvidence]] = {}
    for p in sorted(out, key=lambda p: (-p.match_probability, p.account_id_l, p.account_id_r)):
        pairs_of.setdefault(p.account_id_l, []).append(p)
    return pairs_of


def _published_decisions(conn, columns: dict[str, set[str]]) -> dict[int, tuple[str, ...]] | None:
    """decision id → accounts, as the last materialize applied them; None when the snapshot has no such mart."""
    if DECISIONS not in columns:
        return None
    rows = _records(conn, columns, DECISIONS, ["decision_id", "account_ids"], ["decision_id"])
    return {int(r["decision_id"]): tuple(str(a) for a in r["account_ids"] or ()) for r in rows}


def _survivor_map(conn, columns: dict[str, set[str]]) -> dict[str, str] | None:
    """Merged account → survivor as applied; None when the snapshot has no such table."""
    if SURVIVORS not in columns:
        return None
    wanted = ["account_id", "survivor_account_id"]
    return {
        str(r["account_id"]): str(r["survivor_account_id"])
        for r in _records(conn, columns, SURVIVORS, wanted, wanted)
    }


@dataclass(frozen=True)
class _QueueSnapshot:
    """What the queue needs of one published snapshot; shared read-only between sessions (see
    :func:`_queue_snapshot`)."""

    columns: dict[str, set[str]]
    #: cluster id → its rows of the clusters mart, clusters in id order
    rows_of: dict[str, list[dict]]
    members: dict[str, tuple[str, ...]]
    cluster_of: dict[str, str]
    login: dict[str, str | None]
    cards: dict[str, AccountCard]
    pairs_of: dict[str, list[PairEvidence]]
    published: dict[int, tuple[str, ...]] | None
    survivors: dict[str, str] | None


def _read_queue_snapshot(conn) -> _QueueSnapshot:
    columns = _columns(conn)
    for needed in (CLUSTERS, PAIRS):
        if needed not in columns:
            raise ValueError(
                f"marts.{needed} is not in the published snapshot: run `portalytics materialize`"
            )
    facts = _records(conn, columns, CLUSTERS, CLUSTER_WANTED, ["cluster_id", "account_id", "classification"])
    rows_of: dict[str, list[dict]] = {}
    for row in facts:
        row["cluster_id"], row["account_id"] = str(row["cluster_id"]), str(row["account_id"])
        rows_of.setdefault(row["cluster_id"], []).append(row)
    rows_of = dict(sorted(rows_of.items()))
    login = {r["account_id"]: r["login_method"] for r in facts}
    return _QueueSnapshot(
        columns=columns,
        rows_of=rows_of,
        members={c: tuple(sorted(r["account_id"] for r in rows)) for c, rows in rows_of.items()},
        cluster_of={r["account_id"]: r["cluster_id"] for r in facts},
        login=login,
        cards=_cards(conn, columns, login, None),
        pairs_of=_pairs(conn, columns, None),
        published=_published_decisions(conn, columns),
        survivors=_survivor_map(conn, columns),
    )


#: Snapshots whose queue facts are kept: the current one and the one before (a page may still be reading it).
_CACHED_SNAPSHOTS = 2
_cache: OrderedDict[tuple, _QueueSnapshot] = OrderedDict()
_cache_lock = threading.Lock()


def _snapshot_identity(conn) -> tuple | None:
    """The snapshot file behind ``conn`` (path, inode, mtime, size), or None for a database without a file."""
    rows = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    if not path or not os.path.isfile(path):
        return None
    st = os.stat(path)
    return (os.path.realpath(path), st.st_ino, st.st_mtime_ns, st.st_size)


def _queue_snapshot(conn) -> _QueueSnapshot:
    """The queue's facts of the snapshot ``conn`` reads, read once per snapshot file.

    A published snapshot is never written again (each publish is a new file, swapped in), so its facts can be
    kept while it is current; the decisions, which change between publishes, are always read afresh."""
    key = _snapshot_identity(conn)
    if key is None:
        return _read_queue_snapshot(conn)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    snapshot = _read_queue_snapshot(conn)
    with _cache_lock:
        _cache[key] = snapshot
        while len(_cache) > _CACHED_SNAPSHOTS:
            _cache.popitem(last=False)
    return snapshot


# ---------------------------------------------------------------------------------------------- decisions


def _in_force(history: Iterable[Decision]) -> Decision | None:
    history = list(history)
    undone = {d.undoes_decision_id for d in history if d.action is DecisionAction.UNDO}
    live = [d for d in history if d.action is not DecisionAction.UNDO and d.id not in undone]
    return live[-1] if live else None


def _best_cluster(accounts: Iterable[str], cluster_of: dict[str, str]) -> str | None:
    """The cluster holding most of ``accounts`` (at least two; ties: the smallest id)."""
    counts = Counter(cluster_of[a] for a in accounts if a in cluster_of)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0][0] if ranked and ranked[0][1] >= 2 else None


def ghost_id(accounts: Iterable[str]) -> str:
    return "+".join(sorted(accounts))


def _assign(
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


def _applied(
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


def _status(
    current: Decision | None, accounts_of: dict[int, tuple[str, ...]], members: Iterable[str]
) -> Status:
    if current is None:
        return Status.UNDECIDED
    if not set(members) <= set(accounts_of.get(current.id, ())):
        return Status.NEEDS_REVIEW
    return Status.MERGED if current.action is DecisionAction.MERGE else Status.KEPT_SEPARATE


# ---------------------------------------------------------------------------------------------- the queue


def _classify(cards: Sequence[AccountCard]) -> str:
    """A gone cluster's kind, by the rule of ``domain.ce.duplicates.classification``."""
    if len(cards) >= 3:
        return THIRD_ACCOUNT
    return PERSONAL_PLUS_ORGANISATION if sum(c.is_organisation for c in cards) == 1 else OTHER


def _recommend(cards: Sequence[AccountCard]) -> str | None:
    """A gone cluster's survivor, in the order of ``domain.ce.duplicates.classification``: SSO, organisation, oldest."""
    oldest = dt.datetime.max

    def rank(c: AccountCard):
        return (c.login_method != "sso", not c.is_organisation, c.created_at or oldest, c.account_id)

    return min(cards, key=rank).account_id if cards else None


def _recommended(rows: Sequence[dict]) -> str | None:
    """The survivor the clusters mart recommends: named on the rows, else the row flagged as the survivor."""
    named = [r["recommended_survivor_account_id"] for r in rows if r["recommended_survivor_account_id"]]
    if named:
        return str(named[0])
    flagged = [r["account_id"] for r in rows if r["is_recommended_survivor"]]
    return flagged[0] if flagged else None


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
    """The clusters of likely duplicate accounts in ``view``: third accounts first, then by best match.

    ``conn``: the published snapshot; ``settings``: where the decisions are stored.
    """
    _require(principal)
    view = QueueView(view)
    snap = _queue_snapshot(conn)
    members, cluster_of, published = snap.members, snap.cluster_of, snap.published
    history = list_decisions(settings)
    accounts_of = resolve_accounts(history, members, published or {})
    by_key, ghosts = _assign(history, accounts_of, cluster_of)
    by_id = {d.id: d for d in history}

    # Accounts of decisions whose cluster is gone are read per call: they depend on the decisions.
    extra = sorted({a for accounts in ghosts.values() for a in accounts} - set(cluster_of))
    cards, pairs_of = snap.cards, snap.pairs_of
    if extra:
        cards = cards | _cards(conn, snap.columns, {}, extra)
        pairs_of = pairs_of | _pairs(conn, snap.columns, extra)
    survivors = snap.survivors

    def case(
        key: str, accounts: Sequence[str], classification: str | None, recommended: str | None
    ) -> ClusterCase:
        decisions = tuple(by_key.get(key, ()))
        current = _in_force(decisions)
        last = decisions[-1] if decisions else None
        found = [cards[a] for a in accounts]
        recommended = recommended or _recommend(found)
        inside = set(accounts)
        return ClusterCase(
            cluster_id=key,
            classification=classification or _classify(found),
            accounts=tuple(sorted(found, key=lambda a: (a.account_id != recommended, a.account_id))),
            pairs=tuple(
                sorted(
                    (p for a in accounts for p in pairs_of.get(a, ()) if p.account_id_r in inside),
                    key=lambda p: (-p.match_probability, p.account_id_l, p.account_id_r),
                )
            ),
            recommended_survivor_account_id=recommended,
            status=_status(current, accounts_of, accounts),
            current=current,
            history=decisions,
            pending=PENDING[last.action]
            if last and not _applied(last, by_id, published, survivors)
            else None,
            in_snapshot=classification is not None,
        )

    cases = [
        case(c, members[c], str(rows[0]["classification"]), _recommended(rows))
        for c, rows in snap.rows_of.items()
    ]
    for key, accounts in sorted(ghosts.items()):
        gone = case(key, accounts, None, None)
        if gone.current is not None or gone.pending:  # a decision in force, or an undo the snapshot lacks
            cases.append(gone)
    cases = [c for c in cases if _in_view(c, view)]
    cases.sort(key=lambda c: (not c.is_third_account, -(c.best_probability or 0.0), c.cluster_id))
    return cases


# ---------------------------------------------------------------------------------------------- actions


def _fresh_current(settings: Settings, case: ClusterCase) -> Decision | None:
    """The decision in force on ``case`` now, from the store: someone may have decided since the page was read."""
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
    return _in_force(d for d in history if d.id in mine)


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
    _require(principal)
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
    """Reverse the decision in force on ``case`` (a merge or a keep-separate); the cluster is undecided again."""
    _require(principal)
    current = _fresh_current(settings, case)
    if current is None:
        raise InvalidDecision(f"cluster {case.cluster_id} has no decision to undo")
    return record_decision(
        settings, principal, DecisionAction.UNDO, reason=reason, undoes_decision_id=current.id
    )


def model_agreement(principal: Principal, conn) -> DecisionAgreement | None:
    """How the published model agrees with the decisions the pipeline applied (``marts.ce_merge_decisions`` in
    force): merged pairs against kept-separate pairs, the model's link being ``is_match`` of the pairs mart (a pair
    missing there scored below the review threshold: not linked). None when the snapshot has no decisions mart."""
    _require(principal)
    columns = _columns(conn)
    if DECISIONS not in columns or PAIRS not in columns:
        return None
    wanted = ["action", "survivor_account_id", "merged_account_ids", "account_ids", "in_force"]
    merged, kept = set(), set()
    for row in _records(conn, columns, DECISIONS, wanted, ["action", "account_ids"]):
        if row["in_force"] is False:
            continue
        if row["action"] == DecisionAction.MERGE.value:
            accounts = [row["survivor_account_id"], *(row["merged_account_ids"] or ())]
            target = merged
        elif row["action"] == DecisionAction.KEEP_SEPARATE.value:
            accounts, target = list(row["account_ids"] or ()), kept
        else:
            continue
        ids = sorted({str(a) for a in accounts if a is not None})
        target |= {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
    link = "is_match" if "is_match" in columns[PAIRS] else "match_probability >= 0.9"
    linked = conn.execute(f"SELECT account_id_l, account_id_r FROM {MARTS}.{PAIRS} WHERE {link}").fetchall()
    return agreement_with_decisions(linked, merged, kept)
