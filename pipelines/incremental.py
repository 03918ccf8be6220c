"""Which assets a ``portalytics materialize`` must run: only what changed since the last run.

An asset is selected (with everything downstream of it, then ``published/snapshot``) when

- it is the staging asset of a source with new landing files (name, size or mtime not in the ledger: a
  directory listing and a query, no hashing) or whose staging table does not exist yet;
- it reads the as-of date (:data:`AS_OF_ASSETS`) and the as-of date differs from the last run's;
- it reads the CE team's decisions from the state store (:data:`DECISION_ASSETS`) and their count or highest
  id differs from the last run's;
- a previous run selected it and did not finish (crash, failed step, failed blocking check): it is *pending*.

Everything is selected (a full run) on an empty warehouse, when the code of ``domain``/``assets`` or the org
time zone changed since the last run, or when asked (``full=True``). The state lives in the warehouse, beside
the data it describes: ``pipeline.run_state`` (name → value: as_of, decisions, code) and ``pipeline.pending``
(asset keys).
:func:`record_start` writes both before the run; :func:`record_success` clears ``pending`` after a clean run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

import assets as assets_package
import domain as domain_package
from assets.common import mart_key, staging_key
from assets.ingestion.ledger import new_files
from assets.ingestion.standard.sources import STANDARD_SOURCES
from assets.publish import PUBLISH_KEY
from domain.contracts import SOURCES
from domain.settings import Settings

SCHEMA = "pipeline"
RUN_STATE = f"{SCHEMA}.run_state"
PENDING = f"{SCHEMA}.pending"

#: Marts whose rules read ``run_settings.as_of_date()`` (a test keeps this list in step with the asset code).
AS_OF_ASSETS = frozenset(mart_key(n) for n in ("ce_certificates", "compliance_status", "lc_transcript_items"))
#: Marts built from the state store's CE merge decisions (``assets.ce.merges``), not from staging.
DECISION_ASSETS = frozenset(mart_key(n) for n in ("ce_merge_decisions", "ce_account_survivors"))

AS_OF, DECISIONS, CODE = "as_of", "decisions", "code"


@dataclass
class Plan:
    """The assets and checks of one run, why, and the state to record when it starts."""

    assets: frozenset[dg.AssetKey]
    checks: frozenset[dg.AssetCheckKey]
    full: bool
    reasons: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.assets


def ensure_state_tables(conn) -> None:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {RUN_STATE} (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {PENDING} (asset_key VARCHAR PRIMARY KEY)")


def read_state(conn) -> tuple[dict[str, str], set[dg.AssetKey]]:
    """(run_state, pending) as the last run left them; both empty on a warehouse no run has touched."""
    ensure_state_tables(conn)
    state = dict(conn.execute(f"SELECT name, value FROM {RUN_STATE}").fetchall())
    pending = {
        dg.AssetKey.from_user_string(r[0])
        for r in conn.execute(f"SELECT asset_key FROM {PENDING}").fetchall()
    }
    return state, pending


def record_start(conn, plan: Plan) -> None:
    """Before the run: the new as-of/decisions/code, and the selection as pending until the run ends
    cleanly."""
    ensure_state_tables(conn)
    conn.execute("BEGIN TRANSACTION")
    try:
        for name, value in plan.state.items():
            conn.execute(f"INSERT OR REPLACE INTO {RUN_STATE} VALUES (?, ?)", [name, value])
        for key in sorted(k.to_user_string() for k in plan.assets):
            conn.execute(f"INSERT OR IGNORE INTO {PENDING} VALUES (?)", [key])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def record_success(conn) -> None:
    """After a run whose every step succeeded and no blocking check failed: nothing is pending any more."""
    ensure_state_tables(conn)
    conn.execute(f"DELETE FROM {PENDING}")


def code_fingerprint(org_timezone: str) -> str:
    """A hash of the code that shapes the marts (``domain``, ``assets``) and the org time zone: a new release
    or another time zone rebuilds everything, since any rule may have changed."""
    digest = hashlib.sha256(org_timezone.encode())
    for package in (domain_package, assets_package):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def decisions_fingerprint(settings: Settings) -> str:
    """``<count>:<highest id>`` of the CE merge decisions: decisions are only ever appended (an undo is one
    too)."""
    from sqlalchemy import func, select

    from reports.state import MergeDecision, transaction

    with transaction(settings) as session:
        count, top = session.execute(select(func.count(), func.max(MergeDecision.id))).one()
    return f"{count}:{top or 0}"


def changed_sources(conn, settings: Settings) -> dict[str, int]:
    """source → how many of its landing files are new (-1: its staging table does not exist yet)."""
    present = {
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging' "
            "AND table_catalog = current_database()"
        ).fetchall()
    }
    changed = {}
    for s in SOURCES:
        fresh = new_files(conn, s.name, settings.landing_dir / s.name)
        if fresh:
            changed[s.name] = len(fresh)
        elif s.name not in present:
            changed[s.name] = -1
    for std in STANDARD_SOURCES:  # they feed the tables above; their own asset key is staging/<folder>
        if fresh := new_files(conn, std.name, settings.landing_dir / std.name):
            changed[std.name] = len(fresh)
    return changed


@dataclass
class Changes:
    """What changed since the last run, found without the asset graph (so "nothing new" exits before loading
    it)."""

    full: bool
    roots: set[dg.AssetKey]
    reasons: list[str]
    state: dict[str, str]

    @property
    def nothing(self) -> bool:
        return not self.full and not self.roots


def find_changes(
    conn, settings: Settings, as_of: str, decisions: str, code: str, full: bool = False
) -> Changes:
    """Compare landing, the as-of date, the decisions, the code and the pending list with the last run's
    record."""
    state, pending = read_state(conn)
    new_state = {AS_OF: as_of, DECISIONS: decisions, CODE: code}
    if full or not state:
        return Changes(
            True, set(), ["asked for a full run" if full else "first run on this warehouse"], new_state
        )
    if state.get(CODE) != code:
        return Changes(True, set(), ["the code or the time zone changed since the last run"], new_state)
    roots: set[dg.AssetKey] = set()
    reasons: list[str] = []
    changed = changed_sources(conn, settings)
    if changed:
        roots |= {staging_key(s) for s in changed}
        reasons.append(
            "new files: "
            + ", ".join(f"{s} ({n})" if n >= 0 else f"{s} (new table)" for s, n in changed.items())
        )
    if state.get(AS_OF) != as_of:
        roots |= AS_OF_ASSETS
        reasons.append(f"as-of {state.get(AS_OF)} → {as_of}")
    if state.get(DECISIONS) != decisions:
        roots |= DECISION_ASSETS
        reasons.append("new CE merge decisions")
    if pending:
        roots |= pending
        reasons.append(f"{len(pending)} asset(s) left pending by an unfinished run")
    return Changes(False, roots, reasons, new_state)


def select(graph, changes: Changes) -> Plan:
    """The assets and checks to run for ``changes`` (``graph``: the job's asset graph)."""
    everything = frozenset(graph.get_all_asset_keys())
    if changes.full:
        return Plan(everything, frozenset(graph.asset_check_keys), True, changes.reasons, changes.state)
    selected = _downstream_closure(graph, changes.roots & everything)  # a pending asset may since have gone
    if selected:  # publish, and whatever follows it (the reminders)
        selected |= _downstream_closure(graph, {PUBLISH_KEY})
    return Plan(frozenset(selected), _checks_for(graph, selected), False, changes.reasons, changes.state)


def plan_run(
    conn, graph, settings: Settings, as_of: str, decisions: str, code: str, full: bool = False
) -> Plan:
    """The assets and checks to run now (``as_of`` ISO date; ``decisions``/``code``: fingerprints above)."""
    return select(graph, find_changes(conn, settings, as_of, decisions, code, full))


def _downstream_closure(graph, roots: Iterable[dg.AssetKey]) -> set[dg.AssetKey]:
    """``roots``, everything downstream, and the other keys of any multi-asset touched (they run as one
    step)."""
    selected: set[dg.AssetKey] = set()
    todo = list(roots)
    while todo:
        key = todo.pop()
        if key in selected:
            continue
        selected.add(key)
        node = graph.get(key)
        todo.extend(node.child_keys)
        todo.extend(node.execution_set_asset_keys)
    return selected


def _checks_for(graph, selected: set[dg.AssetKey]) -> frozenset[dg.AssetCheckKey]:
    """Checks of the selected assets, and checks reading a selected asset (a reference check of an unchanged
    table must look again when the table it references got new rows)."""
    chosen = set()
    for key in graph.asset_check_keys:
        deps = {d.asset_key for d in graph.get_check_spec(key).additional_deps}
        if key.asset_key in selected or deps & selected:
            chosen.add(key)
    return frozenset(chosen)
