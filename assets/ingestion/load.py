"""Load one source's new landed files into ``staging.<source>``: read, validate set-based, then commit per
file.

Per file, inside ONE transaction: bad rows go to the quarantine, good rows replace staging rows with the same
key, and the ledger row is written. A rejected file writes only its ledger row. A crash leaves either all of a
file or none of it, and the next run picks the file up again because its ledger row is missing.
"""

from __future__ import annotations

import errno
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingestion.landing import ByteFacts, NotRegularFile, OpenedFile
from assets.ingestion.ledger import LandedFile, Ledger, LedgerEntry, landed_files
from assets.ingestion.readers import RAW, FileRejected, read_file
from assets.ingestion.rules import mark_duplicates_sql, validate_select
from checks.ingest_tables import QUARANTINE
from domain.contracts import FileReason, Source
from domain.sql_text import quote_ident

CHECKED = "_ingest_checked"
LINEAGE_COLUMNS = (("_file_name", "VARCHAR"), ("_row_number", "INTEGER"))


def staging_table(source: Source) -> str:
    return f"staging.{source.name}"


def ensure_staging_table(conn, source: Source) -> None:
    """Create the typed staging table (contract columns + lineage) if absent: a source with no files is
    empty."""
    cols = [(c.name, c.duckdb_type) for c in source.columns] + list(LINEAGE_COLUMNS)
    conn.execute("CREATE SCHEMA IF NOT EXISTS staging")
    ddl = ", ".join(f"{quote_ident(n)} {t}" for n, t in cols)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {staging_table(source)} ({ddl})")
    # A warehouse built before a contract gained an optional column (rows are inserted by column name).
    for name, kind in cols:
        conn.execute(
            f"ALTER TABLE {staging_table(source)} ADD COLUMN IF NOT EXISTS {quote_ident(name)} {kind}"
        )


@dataclass
class SourceSummary:
    source: str
    entries: list[LedgerEntry] = field(default_factory=list)
    files_unchanged: int = 0

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(e.rows_loaded for e in self.entries)

    @property
    def rows_quarantined(self) -> int:
        return sum(e.rows_quarantined for e in self.entries)


def ingest_source(conn, source: Source, folder: Path, scratch: Path | None = None) -> SourceSummary:
    """Load every new file of ``folder`` (``landing/<source>``) in name order.

    ``scratch`` holds the short-lived decoded copy of a file that is not UTF-8 (default: the system's temp
    dir; the pipeline passes one inside the data directory).
    """
    ensure_staging_table(conn, source)
    ledger = Ledger(conn, source.name)
    summary = SourceSummary(source.name)
    scratch = scratch or Path(tempfile.gettempdir())
    for landed in landed_files(folder):
        if ledger.unchanged(landed):
            summary.files_unchanged += 1
            continue
        entry = _ingest_one(conn, source, landed, ledger, scratch)
        if entry is None:
            summary.files_unchanged += 1
        else:
            summary.entries.append(entry)
    return summary


def _ingest_one(
    conn, source: Source, landed: LandedFile, ledger: Ledger, scratch: Path
) -> LedgerEntry | None:
    """One landed entry to its ledger row (``None``: a known file touched but not changed)."""
    entry = LedgerEntry(source.name, landed.file_name, "", landed.size_bytes, landed.mtime_ns, "loaded")
    if landed.kind != "file":
        return _reject_unopened(ledger, entry, landed.kind)
    try:
        opened = OpenedFile(landed.path)
    except NotRegularFile as exc:
        return _reject_unopened(ledger, entry, exc.kind)
    except OSError as exc:  # e.g. no permission: the file stays in landing, the next run tries again
        detail = f"{landed.file_name} cannot be opened ({errno.errorcode.get(exc.errno, 'error')})"
        return _reject(ledger, entry, FileReason.READER_ERROR, detail)
    with opened:
        facts = opened.scan()
        entry.sha256 = facts.sha256
        if ledger.already_recorded(landed, facts.sha256):  # touched but not changed
            ledger.touch(landed, facts.sha256)
            return None
        earlier = ledger.earlier_name(facts.sha256)
        if earlier is not None:
            entry.status, entry.reason = "duplicate", "same_content"
            entry.detail = (
                f"{landed.file_name} has the same content as {earlier}, which was taken; not read again"
            )
            ledger.record(entry)
        else:
            load_file(conn, source, opened, facts, entry, ledger, scratch)
    return entry


def _reject_unopened(ledger: Ledger, entry: LedgerEntry, kind: str) -> LedgerEntry:
    """A symlink or special file: recorded without being opened (sha256 empty: its content was never read)."""
    if kind == "symlink":
        reason, what = FileReason.SYMLINK, "is a symlink; symlinks in landing/ are never followed"
    else:
        reason, what = FileReason.NOT_A_REGULAR_FILE, "is not a regular file (a FIFO, socket or device)"
    return _reject(ledger, entry, reason, f"{entry.file_name} {what}")


def _reject(ledger: Ledger, entry: LedgerEntry, reason: FileReason, detail: str) -> LedgerEntry:
    entry.status, entry.reason, entry.detail = "rejected", str(reason), detail
    entry.encoding, entry.rows_read, entry.rows_loaded, entry.rows_quarantined = None, 0, 0, 0
    ledger.record(entry)
    return entry


def load_file(
    conn,
    source: Source,
    opened: OpenedFile,
    facts: ByteFacts,
    entry: LedgerEntry,
    ledger: Ledger,
    scratch: Path,
) -> None:
    """Read, validate and commit one file; fills ``entry`` with its outcome and records it in the ledger.

    Whatever goes wrong with one file (a reason of ours, or anything the engine raises) ends as its rejected
    ledger row: no file can stop the run for the others. The engine's own message is not kept (it may quote
    the file's content); only its type is.
    """
    raw = None
    try:
        raw = read_file(conn, source, opened, facts, entry.file_name, scratch)
        entry.encoding = raw.encoding
        validated = validate_select(
            source, raw.rows_sql, raw.present, raw.malformed_flag, raw.malformed_reason, raw.wrong_type_flags
        )
        # In file order (DuckDB keeps insertion order): the staging insert needs no sort.
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {CHECKED} AS {validated}")
        conn.execute(mark_duplicates_sql(source, CHECKED))
        # One row of the checked table per row read: counting it spares a second pass over the file.
        entry.rows_read = conn.execute(f"SELECT count(*) FROM {CHECKED}").fetchone()[0]
        conn.execute("BEGIN TRANSACTION")
        try:
            entry.rows_quarantined = _quarantine(conn, source, entry, raw.raw_json_sql)
            entry.rows_loaded = _upsert(conn, source, entry.file_name)
            ledger.record(entry)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except FileRejected as rejected:
        _reject(ledger, entry, rejected.reason, rejected.detail)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a rejected file, never a stopped run
        detail = f"{entry.file_name} could not be read ({type(exc).__name__}); nothing of it was loaded"
        _reject(ledger, entry, FileReason.READER_ERROR, detail)
    finally:
        _drop_temp(conn, [CHECKED, *(raw.temp_tables if raw else [RAW])])


def _quarantine(conn, source: Source, entry: LedgerEntry, raw_json_sql: str) -> int:
    return conn.execute(
        f"""INSERT INTO {QUARANTINE}
            SELECT ?, ?, ?, c._row_number, c._column, c._reason, r._raw
            FROM {CHECKED} c LEFT JOIN ({raw_json_sql}) r USING (_row_number)
            WHERE c._reason IS NOT NULL
            ORDER BY c._row_number""",
        [source.name, entry.file_name, entry.sha256],
    ).fetchone()[0]


def _upsert(conn, source: Source, file_name: str) -> int:
    """Replace staging rows whose key the file brings, then insert the file's good rows."""
    table = staging_table(source)
    if conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]:
        match = " AND ".join(f"s.{quote_ident(k)} = c.{quote_ident(k)}" for k in source.key)
        conn.execute(f"DELETE FROM {table} s USING {CHECKED} c WHERE c._reason IS NULL AND {match}")
    cols = ", ".join(quote_ident(c) for c in source.column_names)
    return conn.execute(
        f"""INSERT INTO {table} ({cols}, _file_name, _row_number)
            SELECT {cols}, ?, _row_number FROM {CHECKED} WHERE _reason IS NULL""",
        [file_name],
    ).fetchone()[0]


def _drop_temp(conn, tables: list[str]) -> None:
    for t in tables:
        conn.execute(f"DROP TABLE IF EXISTS {t}")
