"""Load one standard-format folder's new files into the existing staging tables, unit by unit.

The same ledger as every source (source = the folder name, sha256 identity, duplicate content skipped), then per
file: the reader turns it into units; each unit's contract rows go through the contracts' own SQL rules
(``assets.ingestion.rules.validate_select``: the same typing, normalising and reasons as a CSV row); a unit with
any failing row is quarantined whole with the first failure; the folder's resolver turns the good units into the
rows to write (the 834 applies its maintenance to the spans already in staging). In ONE transaction: quarantine,
upserts by the target's key, ledger row. Read = loaded + quarantined, counted in units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from assets.ingestion.ledger import LandedFile, Ledger, LedgerEntry, landed_files, sha256_of
from assets.ingestion.load import SourceSummary, ensure_staging_table, staging_table
from assets.ingestion.readers import FileRejected
from assets.ingestion.rules import validate_select
from assets.ingestion.standard.units import Row, Unit
from checks.ingest_tables import QUARANTINE
from domain.contracts import FileReason, Reason, Source, source
from domain.sql_text import quote_ident

ROWS_VIEW = "_std_rows"
#: Resolver: (connection, good units in file order) → rows to write per target (units it refuses are failed).
Resolver = Callable[[object, list[Unit]], dict[str, list[Row]]]


@dataclass(frozen=True)
class StandardSource:
    name: str  # landing folder and ledger source
    family: str
    extensions: tuple[str, ...]
    targets: tuple[str, ...]  # contract sources (staging tables) it feeds, in load order
    description: str
    read: Callable[[Path], list[Unit]]
    resolve: Resolver | None = None  # default: every good unit's rows, a key repeated in the file is refused

    @property
    def target_sources(self) -> tuple[Source, ...]:
        return tuple(source(t) for t in self.targets)


def ingest_standard(conn, std: StandardSource, folder: Path) -> SourceSummary:
    for target in std.target_sources:
        ensure_staging_table(conn, target)
    ledger = Ledger(conn, std.name)
    summary = SourceSummary(std.name)
    for landed in landed_files(folder):
        if ledger.unchanged(landed):
            summary.files_unchanged += 1
            continue
        sha = sha256_of(landed.path)
        if ledger.already_recorded(landed, sha):
            ledger.touch(landed, sha)
            summary.files_unchanged += 1
            continue
        entry = LedgerEntry(std.name, landed.file_name, sha, landed.size_bytes, landed.mtime_ns, "loaded")
        earlier = ledger.earlier_name(sha)
        if earlier is not None:
            entry.status, entry.reason = "duplicate", "same_content"
            entry.detail = (
                f"{landed.file_name} has the same content as {earlier}, which was taken; not read again"
            )
            ledger.record(entry)
        else:
            load_standard_file(conn, std, landed, entry, ledger)
        summary.entries.append(entry)
    return summary


def load_standard_file(
    conn, std: StandardSource, landed: LandedFile, entry: LedgerEntry, ledger: Ledger
) -> None:
    try:
        if landed.path.suffix.lower().lstrip(".") not in std.extensions:
            accepted = ", ".join(f".{e}" for e in std.extensions)
            raise FileRejected(
                FileReason.UNSUPPORTED_FORMAT, f"{landed.file_name}: {std.name} accepts {accepted}"
            )
        if landed.size_bytes == 0 or not landed.path.read_bytes().strip():
            raise FileRejected(FileReason.EMPTY_FILE, f"{landed.file_name} is empty")
        units = std.read(landed.path)
    except FileRejected as rejected:
        entry.status, entry.reason, entry.detail = "rejected", str(rejected.reason), rejected.detail
        ledger.record(entry)
        return
    entry.encoding = "utf-8"
    for target in std.target_sources:
        _contract_failures(conn, target, units)
    good = [u for u in units if u.reason is None]
    rows = (std.resolve or _distinct_keys(std))(conn, good)
    entry.rows_read = len(units)
    conn.execute("BEGIN TRANSACTION")
    try:
        bad = [u for u in units if u.reason is not None]
        if bad:
            conn.executemany(
                f"INSERT INTO {QUARANTINE} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [[std.name, entry.file_name, entry.sha256, u.number, u.column, u.reason, u.raw] for u in bad],
            )
        lineage = f"{std.name}/{entry.file_name}"
        for target in std.target_sources:
            _upsert(conn, target, rows.get(target.name, []), lineage)
        entry.rows_quarantined = len(bad)
        entry.rows_loaded = len(units) - len(bad)
        ledger.record(entry)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _arrow(target: Source, rows: list[Row]) -> pa.Table:
    cols = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in target.column_names}
    return pa.table({"_row_number": pa.array(range(len(rows)), pa.int32()), **cols})


def _validated(conn, target: Source, rows: list[Row]) -> str:
    conn.register(ROWS_VIEW, _arrow(target, rows))
    return validate_select(target, f"SELECT * FROM {ROWS_VIEW}", set(target.column_names))


def _contract_failures(conn, target: Source, units: list[Unit]) -> None:
    """Run the contract's rules over the units' rows for ``target``; a unit with a failing row is quarantined."""
    owners = [u for u in units if u.reason is None for _ in u.rows.get(target.name, [])]
    rows = [r for u in units if u.reason is None for r in u.rows.get(target.name, [])]
    if not rows:
        return
    failing = conn.execute(
        f"SELECT _row_number, _column, _reason FROM ({_validated(conn, target, rows)}) "
        "WHERE _reason IS NOT NULL ORDER BY _row_number"
    ).fetchall()
    conn.unregister(ROWS_VIEW)
    for i, column, reason in failing:
        if owners[i].reason is None:
            owners[i].fail(reason, column)


def _distinct_keys(std: StandardSource) -> Resolver:
    """Every good unit's rows; a unit repeating a key an earlier unit of the file brought is refused, as a
    repeated key within a CSV file is (the first one is taken)."""

    def resolve(conn, good: list[Unit]) -> dict[str, list[Row]]:
        seen: dict[str, set] = {t: set() for t in std.targets}
        out: dict[str, list[Row]] = {t: [] for t in std.targets}
        for unit in good:
            keys = {
                t.name: [tuple((r.get(k) or "").strip() for k in t.key) for r in unit.rows.get(t.name, [])]
                for t in std.target_sources
            }
            if any(k in seen[t] for t, ks in keys.items() for k in ks) or any(
                len(set(ks)) < len(ks) for ks in keys.values()
            ):
                unit.fail(Reason.DUPLICATE_KEY, ",".join(std.target_sources[0].key))
                continue
            for t, ks in keys.items():
                seen[t].update(ks)
                out[t].extend(unit.rows.get(t, []))
        return out

    return resolve


def _upsert(conn, target: Source, rows: list[Row], lineage: str) -> int:
    if not rows:
        return 0
    checked = "_std_checked"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {_validated(conn, target, rows)}")
    conn.unregister(ROWS_VIEW)
    try:
        failed = conn.execute(f"SELECT count(*) FROM {checked} WHERE _reason IS NOT NULL").fetchone()[0]
        if failed:  # the resolver only combines rows that passed: a failure here is a bug, not bad input
            raise RuntimeError(f"{lineage}: {failed} resolved {target.name} rows fail the contract")
        table = staging_table(target)
        match = " AND ".join(f"s.{quote_ident(k)} = c.{quote_ident(k)}" for k in target.key)
        conn.execute(f"DELETE FROM {table} s USING {checked} c WHERE {match}")
        cols = ", ".join(quote_ident(c) for c in target.column_names)
        return conn.execute(
            f"INSERT INTO {table} ({cols}, _file_name, _row_number) "
            f"SELECT {cols}, ?, _row_number + 1 FROM {checked} ORDER BY _row_number",
            [lineage],
        ).fetchone()[0]
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {checked}")
