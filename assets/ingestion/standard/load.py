"""Load one standard-format folder's new files into the existing staging tables, unit by unit.

The same ledger as every source (source = the folder name, sha256 identity, duplicate content skipped), then
per file: the reader turns it into units; each unit's contract rows go through the contracts' own SQL rules
(``assets.ingestion.rules.validate_select``: the same typing, normalising and reasons as a CSV row); a unit
with any failing row is quarantined whole with the first failure; the folder's resolver turns the good units
into the rows to write (the 834 applies its maintenance, file by file, to the spans already in staging). Files
go in batches (``BATCH_UNITS``); in ONE transaction per batch: quarantine, upserts by the target's key, ledger
rows. A file's read = loaded + quarantined, counted in units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from assets.ingestion.landing import NotRegularFile, OpenedFile
from assets.ingestion.ledger import LandedFile, Ledger, LedgerEntry, landed_files
from assets.ingestion.load import SourceSummary, ensure_staging_table, staging_table
from assets.ingestion.readers import FileRejected
from assets.ingestion.rules import column_sql, validate_select
from assets.ingestion.standard.payer_adjudication import PAYER_ADJUDICATION
from assets.ingestion.standard.units import Row, Unit
from checks.ingest_tables import QUARANTINE
from domain.contracts import FileReason, Reason, Source, source
from domain.sql_text import quote_ident

ROWS_VIEW = "_std_rows"
#: Tables a standard format feeds that are not landing contracts.
EXTRA_TARGETS = {PAYER_ADJUDICATION.name: PAYER_ADJUDICATION}
#: Keys a resolver adds to each row it returns: the staging lineage (``<folder>/<file>``, the unit's number).
LINEAGE_FILE, LINEAGE_UNIT = "_file", "_unit"
#: Resolver: (connection, [(lineage, good units)] per file in order) → the batch's rows per target, one per
#: key, each with its lineage keys (units it refuses are failed).
Resolver = Callable[[object, list[tuple[str, list[Unit]]]], dict[str, list[Row]]]


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
        return tuple(EXTRA_TARGETS.get(t) or source(t) for t in self.targets)


#: New files are read and validated together until they hold this many units: the contract rules' SQL is
#: planned once per batch instead of once per file (an 834 per employer and month holds a few dozen members).
BATCH_UNITS = 20_000


@dataclass
class _Pending:
    entry: LedgerEntry
    units: list[Unit]
    rejected: FileRejected | None = None

    @property
    def lineage(self) -> str:
        return f"{self.entry.source}/{self.entry.file_name}"


def ingest_standard(conn, std: StandardSource, folder: Path) -> SourceSummary:
    for target in std.target_sources:
        ensure_staging_table(conn, target)
    ledger = Ledger(conn, std.name)
    summary = SourceSummary(std.name)
    batch: list[_Pending] = []
    for landed in landed_files(folder):
        if ledger.unchanged(landed):
            summary.files_unchanged += 1
            continue
        entry = LedgerEntry(std.name, landed.file_name, "", landed.size_bytes, landed.mtime_ns, "loaded")
        try:
            # Never through a symlink, never a FIFO or device: the same guard as every other source.
            opened = _open(landed)
        except FileRejected as rejected:
            summary.entries.append(entry)
            batch.append(_rejected(entry, rejected))
            continue
        with opened:
            entry.sha256 = sha = opened.scan().sha256
            if ledger.already_recorded(landed, sha):
                ledger.touch(landed, sha)
                summary.files_unchanged += 1
                continue
            summary.entries.append(entry)
            earlier = ledger.earlier_name(sha) or next(
                (p.entry.file_name for p in batch if p.entry.sha256 == sha), None
            )
            if earlier is not None:
                entry.status, entry.reason = "duplicate", "same_content"
                entry.detail = (
                    f"{landed.file_name} has the same content as {earlier}, which was taken; not read again"
                )
                batch.append(_Pending(entry, []))
                continue
            batch.append(_read(std, landed, opened, entry))
        if sum(len(p.units) for p in batch) >= BATCH_UNITS:
            _load_batch(conn, std, batch, ledger)
            batch = []
    if batch:
        _load_batch(conn, std, batch, ledger)
    return summary


def _open(landed: LandedFile) -> OpenedFile:
    if landed.kind == "symlink":
        raise FileRejected(
            FileReason.SYMLINK, f"{landed.file_name} is a symlink; symlinks in landing/ are never followed"
        )
    if landed.kind != "file":
        raise FileRejected(
            FileReason.NOT_A_REGULAR_FILE,
            f"{landed.file_name} is not a regular file (a FIFO, socket or device)",
        )
    try:
        return OpenedFile(landed.path)
    except NotRegularFile as exc:  # replaced by a link or a FIFO after the listing
        raise FileRejected(
            FileReason.SYMLINK if exc.kind == "symlink" else FileReason.NOT_A_REGULAR_FILE,
            f"{landed.file_name} is not a regular file ({exc.kind})",
        ) from exc
    except OSError as exc:  # e.g. no permission: the file stays in landing/, the next run tries again
        raise FileRejected(
            FileReason.READER_ERROR, f"{landed.file_name} cannot be opened ({type(exc).__name__})"
        ) from exc


def _rejected(entry: LedgerEntry, rejected: FileRejected) -> _Pending:
    entry.status, entry.reason, entry.detail = "rejected", str(rejected.reason), rejected.detail
    return _Pending(entry, [], rejected)


def _read(std: StandardSource, landed: LandedFile, opened: OpenedFile, entry: LedgerEntry) -> _Pending:
    """The file's units, read through the descriptor opened above (so the file read is the file hashed)."""
    try:
        if landed.path.suffix.lower().lstrip(".") not in std.extensions:
            accepted = ", ".join(f".{e}" for e in std.extensions)
            raise FileRejected(
                FileReason.UNSUPPORTED_FORMAT, f"{landed.file_name}: {std.name} accepts {accepted}"
            )
        if opened.size == 0 or not any(chunk.strip() for chunk in opened.chunks()):
            raise FileRejected(FileReason.EMPTY_FILE, f"{landed.file_name} is empty")
        try:
            units = std.read(Path(opened.duckdb_path))
        except FileRejected as rejected:  # the reader knows the file by its descriptor: name it here
            raise FileRejected(rejected.reason, f"{landed.file_name}: {rejected.detail}") from None
        return _Pending(entry, units)
    except FileRejected as rejected:
        return _rejected(entry, rejected)
    except Exception as exc:  # a library's own failure: this file is rejected, the run goes on
        detail = f"{landed.file_name} could not be read ({type(exc).__name__}); nothing of it was loaded"
        return _rejected(entry, FileRejected(FileReason.READER_ERROR, detail))


def _load_batch(conn, std: StandardSource, batch: list[_Pending], ledger: Ledger) -> None:
    """Validate the batch's units together, resolve them file by file in order, commit the batch at once
    (quarantine, upserts, ledger rows): a crash leaves all of its files or none, and they are read again."""
    units = [u for p in batch for u in p.units]
    for target in std.target_sources:
        _contract_failures(conn, target, units)
    loaded = [p for p in batch if p.entry.status == "loaded"]
    rows = (std.resolve or _distinct_keys(std))(
        conn, [(p.lineage, [u for u in p.units if u.reason is None]) for p in loaded]
    )
    conn.execute("BEGIN TRANSACTION")
    try:
        bad = [
            [std.name, p.entry.file_name, p.entry.sha256, u.number, u.column, u.reason, u.raw]
            for p in loaded
            for u in p.units
            if u.reason is not None
        ]
        if bad:
            conn.executemany(f"INSERT INTO {QUARANTINE} VALUES (?, ?, ?, ?, ?, ?, ?)", bad)
        for target in std.target_sources:
            _upsert(conn, target, rows.get(target.name, []))
        for p in batch:
            if p.entry.status == "loaded":
                p.entry.encoding = "utf-8"
                p.entry.rows_read = len(p.units)
                p.entry.rows_quarantined = sum(1 for u in p.units if u.reason is not None)
                p.entry.rows_loaded = p.entry.rows_read - p.entry.rows_quarantined
            ledger.record(p.entry)
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
    """Run the contract's rules over the units' rows for ``target``; a unit with a failing row is
    quarantined."""
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
    """Every good unit's rows. Within a file a unit repeating a key an earlier unit brought is refused, as a
    repeated key within a CSV file is (the first is taken); across files the later file's row replaces."""

    def resolve(conn, files: list[tuple[str, list[Unit]]]) -> dict[str, list[Row]]:
        out: dict[str, dict[tuple, Row]] = {t: {} for t in std.targets}
        for lineage, good in files:
            seen: dict[str, set] = {t: set() for t in std.targets}
            for unit in good:
                keys = {
                    t.name: [
                        tuple((r.get(k) or "").strip() for k in t.key) for r in unit.rows.get(t.name, [])
                    ]
                    for t in std.target_sources
                }
                if any(k in seen[t] for t, ks in keys.items() for k in ks) or any(
                    len(set(ks)) < len(ks) for ks in keys.values()
                ):
                    unit.fail(Reason.DUPLICATE_KEY, ",".join(std.target_sources[0].key))
                    continue
                for t, ks in keys.items():
                    seen[t].update(ks)
                    for k, row in zip(ks, unit.rows.get(t, []), strict=True):
                        out[t].pop(k, None)  # a later file's row replaces, and lands later in staging order
                        out[t][k] = row | {LINEAGE_FILE: lineage, LINEAGE_UNIT: unit.number}
        return {t: list(d.values()) for t, d in out.items()}

    return resolve


def _typed(conn, target: Source, rows: list[Row]) -> str:
    """The rows typed and normalised as the contract's rules store them (they passed those rules already; the
    reasons' CASE expressions are left out: they cost most of the statement's planning time)."""
    table = _arrow(target, rows).append_column(
        "_file_name", pa.array([r[LINEAGE_FILE] for r in rows], pa.string())
    )
    table = table.set_column(0, "_row_number", pa.array([r[LINEAGE_UNIT] for r in rows], pa.int32()))
    conn.register(ROWS_VIEW, table)
    raw_of = {c: quote_ident(c) for c in target.column_names}
    typed = [
        f"{column_sql(target, c, raw_of[c.name], raw_of).typed} AS {quote_ident(c.name)}"
        for c in target.columns
    ]
    return f"SELECT _row_number, _file_name, {', '.join(typed)} FROM {ROWS_VIEW}"


def _upsert(conn, target: Source, rows: list[Row]) -> int:
    """Replace the staging rows whose key the batch brings, then insert the batch's rows (in file, unit
    order)."""
    if not rows:
        return 0
    checked = "_std_checked"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {_typed(conn, target, rows)}")
    conn.unregister(ROWS_VIEW)
    try:
        table = staging_table(target)
        match = " AND ".join(f"s.{quote_ident(k)} = c.{quote_ident(k)}" for k in target.key)
        conn.execute(f"DELETE FROM {table} s USING {checked} c WHERE {match}")
        cols = ", ".join(quote_ident(c) for c in target.column_names)
        return conn.execute(
            f"INSERT INTO {table} ({cols}, _file_name, _row_number) "
            f"SELECT {cols}, _file_name, _row_number FROM {checked} ORDER BY _file_name, _row_number"
        ).fetchone()[0]
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {checked}")
