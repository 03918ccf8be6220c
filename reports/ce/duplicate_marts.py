"""Tolerant reads of the duplicate marts in the published snapshot, for the CE duplicate queue.

Of the duplicate marts only ``cluster_id, account_id, classification`` (clusters) and
``account_id_l, account_id_r, match_probability, evidence`` (pairs) are required; the survivor columns,
``match_weight``, ``decision``, the ``*_level`` columns and the other marts are used when present.

Plain SQL to Arrow to Python rows: the queue is a few thousand small rows, where a pandas group-by or an Ibis
compile per query costs more than DuckDB's own work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from domain.sql_text import quote_ident
from reports.ce.duplicate_cases import AccountCard, PairEvidence
from reports.learning.access import MARTS

CLUSTERS = "duplicate_account_clusters"
PAIRS = "duplicate_account_pairs"
ACCOUNTS = "ce_accounts"
SURVIVORS = "ce_account_survivors"
DECISIONS = "ce_merge_decisions"


def mart_columns(conn) -> dict[str, set[str]]:
    """Table → its columns, for every table of ``marts`` in the snapshot."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?", [MARTS]
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def clean(value):
    """None for SQL NULL and NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def read_records(
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


def read_cards(
    conn, columns: dict[str, set[str]], login: dict[str, str | None], ids: Sequence[str] | None
) -> dict[str, AccountCard]:
    """Cards of ``ids`` (None: of the clustered accounts, whose ids and login methods ``login`` holds) from
    ``marts.ce_accounts``; an account missing there keeps its id and the clusters mart's login method."""
    cards = {a: AccountCard(a, login_method=m) for a, m in login.items()}
    cards |= {a: AccountCard(a) for a in ids or () if a not in cards}
    if ACCOUNTS not in columns:
        return cards
    where, params = _of_accounts("account_id", ids)
    for row in read_records(conn, columns, ACCOUNTS, CARD_FIELDS, ["account_id"], where, params):
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


def read_pairs(
    conn, columns: dict[str, set[str]], ids: Sequence[str] | None
) -> dict[str, list[PairEvidence]]:
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
            evidence=str(clean(row["evidence"]) or ""),
            match_weight=clean(row["match_weight"]),
            decision=clean(row["decision"]),
            levels={c.removesuffix("_level"): row[c] for c in levels if clean(row[c]) is not None},
            weights={c.removesuffix("_weight"): float(row[c]) for c in weights if clean(row[c]) is not None},
        )
        for row in read_records(conn, columns, PAIRS, wanted, required, where, params)
    ]
    pairs_of: dict[str, list[PairEvidence]] = {}
    for p in sorted(out, key=lambda p: (-p.match_probability, p.account_id_l, p.account_id_r)):
        pairs_of.setdefault(p.account_id_l, []).append(p)
    return pairs_of


def read_published_decisions(conn, columns: dict[str, set[str]]) -> dict[int, tuple[str, ...]] | None:
    """decision id → accounts, as the last materialize applied them; None when the snapshot has no such
    mart."""
    if DECISIONS not in columns:
        return None
    rows = read_records(conn, columns, DECISIONS, ["decision_id", "account_ids"], ["decision_id"])
    return {int(r["decision_id"]): tuple(str(a) for a in r["account_ids"] or ()) for r in rows}


def read_survivor_map(conn, columns: dict[str, set[str]]) -> dict[str, str] | None:
    """Merged account → survivor as applied; None when the snapshot has no such table."""
    if SURVIVORS not in columns:
        return None
    wanted = ["account_id", "survivor_account_id"]
    return {
        str(r["account_id"]): str(r["survivor_account_id"])
        for r in read_records(conn, columns, SURVIVORS, wanted, wanted)
    }
