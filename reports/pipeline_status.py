"""Pipeline freshness for the admin Pipeline page: the published snapshot, the ingest ledger and quarantined
rows.

Only ``Role.ADMIN`` may call these (others: NotPermitted). The ledger and quarantine are the published copies
``marts.ingest_ledger`` and ``marts.quarantine``; times are UTC. A quarantined row's ``raw`` text is the row
as it landed, so any Learning Center user id in it (birth date + SSN digits) is masked before it leaves this
module.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from domain.contracts import SOURCES, SOURCES_BY_NAME, Rule
from domain.learning.identity import MASK, mask_lc_user_id
from domain.marts import SCHEMA as MARTS
from domain.settings import Settings
from domain.sql_files import load
from reports.principal import Principal, Role
from reports.snapshot import current_snapshot_file

LEDGER_STATUSES = ("loaded", "rejected", "duplicate")
#: Quarantined rows returned at most, newest file first, so the browser stays fast.
DEFAULT_QUARANTINE_LIMIT = 1_000

#: Columns holding a Learning Center user id, per source: masked in every raw row shown.
_SENSITIVE: dict[str, tuple[str, ...]] = {
    s.name: tuple(c.name for c in s.columns if c.rule is Rule.LC_USER_ID) for s in SOURCES
}
# Any of the accepted id shapes inside text that is not a JSON object (a truncated JSON line, say).
_ID_IN_TEXT = re.compile(r"\d{2}/?\d{2}/?\d{4} ?(\d{4})")


@dataclass(frozen=True)
class SnapshotInfo:
    file_name: str
    published_at: dt.datetime  # UTC, from the file's modification time
    size_bytes: int
    tables: tuple[str, ...]


def snapshot_info(principal: Principal, settings: Settings, conn) -> SnapshotInfo:
    """Which file ``current.duckdb`` points at, when it was written, and the marts it holds."""
    principal.require(Role.ADMIN)
    path: Path = current_snapshot_file(settings)
    stat = path.stat()
    tables = conn.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
        params=[MARTS],
    ).fetchall()
    return SnapshotInfo(
        file_name=path.name,
        published_at=dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC),
        size_bytes=stat.st_size,
        tables=tuple(t[0] for t in tables),
    )


def _frame(conn, name: str, params: dict) -> pd.DataFrame:
    """``reports/<name>.sql`` with ``params``; a filter left NULL matches everything."""
    return conn.sql(load(__package__, name), params=params).to_arrow_table().to_pandas()


def _check_source(source: str | None) -> None:
    if source is not None and source not in SOURCES_BY_NAME:
        raise ValueError(f"unknown source {source!r}; expected one of {sorted(SOURCES_BY_NAME)}")


def ingest_ledger(
    principal: Principal, conn, *, source: str | None = None, status: str | None = None
) -> pd.DataFrame:
    """Every landed file once (source, file_name, status, reason, detail, rows read / loaded / quarantined,
    loaded_at, sha256), newest first; ``status`` is loaded, rejected (whole file, with the reason) or
    duplicate (content already loaded under the name in ``reason``)."""
    principal.require(Role.ADMIN)
    _check_source(source)
    if status is not None and status not in LEDGER_STATUSES:
        raise ValueError(f"unknown ledger status {status!r}; expected one of {list(LEDGER_STATUSES)}")
    return _frame(conn, "ingest_ledger", {"source": source, "status": status})


def freshness(principal: Principal, conn) -> pd.DataFrame:
    """One row per contract source (sources without files included): when a file last loaded, how many files
    loaded / were rejected / were duplicates, and the rows loaded and quarantined."""
    principal.require(Role.ADMIN)
    per_source = _frame(conn, "ingest_freshness", {}).set_index("source")
    rows = []
    for s in SOURCES:
        got = per_source.loc[s.name] if s.name in per_source.index else None
        rows.append(
            {
                "source": s.name,
                "last_loaded_at": None if got is None or pd.isna(got.last_loaded_at) else got.last_loaded_at,
                **{
                    c: 0 if got is None else int(got[c])
                    for c in (
                        "files_loaded",
                        "files_rejected",
                        "files_duplicate",
                        "rows_loaded",
                        "rows_quarantined",
                    )
                },
            }
        )
    return pd.DataFrame(rows)


def quarantine_reasons(principal: Principal, conn, *, source: str | None = None) -> pd.DataFrame:
    """Quarantined rows counted per source and reason (for the browser's filters), most frequent first."""
    principal.require(Role.ADMIN)
    _check_source(source)
    return _frame(conn, "quarantine_reasons", {"source": source})


def quarantined_rows(
    principal: Principal,
    conn,
    *,
    source: str | None = None,
    reason: str | None = None,
    file_name: str | None = None,
    limit: int = DEFAULT_QUARANTINE_LIMIT,
) -> pd.DataFrame:
    """Quarantined rows (source, file_name, row_number, column, reason, raw) in file and row order, at most
    ``limit``; Learning Center user ids inside ``raw`` are masked to their last four digits."""
    principal.require(Role.ADMIN)
    _check_source(source)
    frame = _frame(
        conn,
        "quarantined_rows",
        {"source": source, "reason": reason, "file_name": file_name, "limit": max(1, int(limit))},
    )
    frame["raw"] = [mask_raw(s, r) for s, r in zip(frame["source"], frame["raw"], strict=True)]
    return frame


def mask_raw(source: str, raw: str | None) -> str | None:
    """``raw`` with every Learning Center user id of ``source`` masked (``••••••••1234``)."""
    columns = _SENSITIVE.get(source, ())
    if raw is None or not columns:
        return raw
    try:
        row = json.loads(raw)
    except ValueError:
        row = None
    if not isinstance(row, dict):
        # Not a JSON object (a truncated line): mask anything shaped like an id, whatever key it sits under.
        return _ID_IN_TEXT.sub(lambda m: MASK + m.group(1), raw)
    for column in columns:
        if column in row and row[column] is not None:
            row[column] = mask_lc_user_id(str(row[column]))
    return json.dumps(row, ensure_ascii=False)
