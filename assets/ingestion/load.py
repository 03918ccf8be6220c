"""Load one source's new landed files into ``staging.<source>``: read, validate set-based, then commit per
file.

Per file, inside ONE transaction: bad rows go to the quarantine, good rows replace staging rows with the same
key, and the ledger row is written. A rejected file writes only its ledger row. A crash leaves either all of a
file or none of it, and the next run picks the file up again because its ledger row is missing.
"""

from __future__ import annotations

import errno
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from assets.ingestion.landing import ByteFacts, NotRegularFile, OpenedFile
from assets.ingestion.ledger import LandedFile, Ledger, LedgerEntry, landed_files
from assets.ingestion.readers import RAW, FileRejected, RawFile, read_file
from assets.ingestion.rules import mark_duplicates_sql, validate_select
from checks.ingest_tables import QUARANTINE
from domain.contracts import FileReason, Source
from domain.sql_text import quote_ident

CHECKED = "_ingest_checked"
LINEAGE_COLUMNS = (("_file_name", "VARCHAR"), ("_row_number", "INTEGER"))


def staging_table(source: Source) -> str:
    return f"staging.{source.name}"


#: Staging columns stored without compression: near-unique text, whose DuckDB 2.0 DICT_FSST compression cost
#: 2-4x an uncompressed write of the same values. The warehouse's staging tables trade disk for that CPU (what
#: is published is the marts file, compressed as before). Chosen column by column, CPU saved against bytes
#: added: docs/operations.md, "Issue 22 point 1, seventh pass (session 10)". A staging table created before
#: keeps the compression it was created with (``CREATE TABLE IF NOT EXISTS``): not converted.
UNCOMPRESSED_COLUMNS: dict[str, tuple[str, ...]] = {
    "auth_events": ("event_id", "username", "ip"),
    "hp_claims": ("claim_id", "member_id"),
}
#: DuckDB's name for the method of ``USING COMPRESSION``.
NO_COMPRESSION = "uncompressed"


class StagingStorageRefused(RuntimeError):
    """This DuckDB refuses to store a staging column the way :data:`UNCOMPRESSED_COLUMNS` asks."""


def _column_ddl(source: Source, name: str, kind: str) -> str:
    if name in UNCOMPRESSED_COLUMNS.get(source.name, ()):
        return f"{quote_ident(name)} {kind} USING COMPRESSION {NO_COMPRESSION}"
    return f"{quote_ident(name)} {kind}"


def ensure_staging_table(conn, source: Source) -> None:
    """Create the typed staging table (contract columns + lineage) if absent: a source with no files is
    empty."""
    cols = [(c.name, c.duckdb_type) for c in source.columns] + list(LINEAGE_COLUMNS)
    conn.execute("CREATE SCHEMA IF NOT EXISTS staging")
    ddl = ", ".join(_column_ddl(source, n, t) for n, t in cols)
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {staging_table(source)} ({ddl})")
    except duckdb.Error as exc:
        plain = UNCOMPRESSED_COLUMNS.get(source.name)
        if not plain:
            raise
        # Never fall back to a compressed table quietly: the run would go on slower, and nobody would know.
        raise StagingStorageRefused(
            f"{staging_table(source)}: DuckDB {duckdb.__version__} refuses to store {', '.join(plain)} with "
            f"USING COMPRESSION {NO_COMPRESSION} ({type(exc).__name__}); see UNCOMPRESSED_COLUMNS in "
            "assets/ingestion/load.py"
        ) from exc
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


def ingest_source(
    conn, source: Source, folder: Path, scratch: Path | None = None, *, overlap: bool | None = None
) -> SourceSummary:
    """Load every new file of ``folder`` (``landing/<source>``) in name order.

    ``scratch`` holds the short-lived decoded copy of a file that is not UTF-8 (default: the system's temp
    dir; the pipeline passes one inside the data directory). ``overlap`` (default: when more than
    :data:`OVERLAP_FROM_FILES` files are new) reads and checks the next file on a second cursor while the
    current one commits (see :func:`_overlapped`); the outcome is the serial one, row for row.
    """
    ensure_staging_table(conn, source)
    ledger = Ledger(conn, source.name)
    summary = SourceSummary(source.name)
    scratch = scratch or Path(tempfile.gettempdir())
    todo = []
    for landed in landed_files(folder):
        if ledger.unchanged(landed):
            summary.files_unchanged += 1
        else:
            todo.append(landed)
    if overlap is None:
        overlap = len(todo) > OVERLAP_FROM_FILES
    prepared = _overlapped(conn, source, todo, ledger, scratch) if overlap else _serial(conn, todo)
    with closing(prepared):
        for landed, ready in zip(todo, prepared, strict=True):
            entry = _ingest_one(source, landed, ledger, scratch, ready)
            if entry is None:
                summary.files_unchanged += 1
            else:
                summary.entries.append(entry)
    return summary


#: Sources with more new files than this read the next file while the current one commits.
OVERLAP_FROM_FILES = 2


@dataclass
class _Checked:
    """A file read and checked on ``cursor``: its ``CHECKED`` table (or why it has none) awaits the commit."""

    cursor: object
    encoding: str | None = None
    raw: RawFile | None = None
    rows_read: int = 0
    failure: Exception | None = None  # FileRejected, or any engine error (its type only is kept)
    temp_tables: list[str] = field(default_factory=list)


@dataclass
class _Ready:
    """One landed entry as far as it can go before the ledger's in-order decision: opened, scanned and
    (when it looks new) read and checked on ``cursor``. ``None`` fields were not reached."""

    cursor: object
    opened: OpenedFile | None = None
    open_error: Exception | None = None  # NotRegularFile or OSError, raised again where the serial path did
    read_error: OSError | None = None  # a read failing midway through the scan (EIO, a file cut short)
    facts: ByteFacts | None = None
    checked: _Checked | None = None


def _serial(conn, todo: list[LandedFile]):
    """Nothing ahead of time: each file is opened, scanned and read when its turn comes, on ``conn``."""
    for _ in todo:
        yield _Ready(conn)


def _overlapped(conn, source: Source, todo: list[LandedFile], ledger: Ledger, scratch: Path):
    """The files of ``todo`` in order, each prepared (opened, scanned, read and checked) one step ahead.

    One worker thread prepares file i+1 on one of two cursors while the caller commits file i on the other,
    the cursor that built file i's checked table (temp tables belong to their cursor). Commits and every
    ledger decision stay in name order on the calling thread, so staging, quarantine and ledger end as the
    serial loop leaves them; at most two files are in flight. DuckDB runs both statements in the one
    process, its threads shared: the files are single row groups that one thread parses, so the second core
    otherwise idles. The worker skips reading a file whose content the ledger or an earlier file of the run
    already has (it will be ``duplicate`` or touched); should the ledger decide otherwise, the file is read
    at its turn.
    """
    cursors = [conn.cursor(), conn.cursor()]
    known = ledger.known_contents()
    ahead = None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ingest-{source.name}") as pool:
            for i, landed in enumerate(todo):
                current = ahead or pool.submit(_prepare, cursors[i % 2], source, landed, known, scratch)
                ahead = None
                if i + 1 < len(todo):
                    ahead = pool.submit(_prepare, cursors[(i + 1) % 2], source, todo[i + 1], known, scratch)
                yield current.result()
    finally:  # the run stopped early (an error in the caller): the file read ahead is let go
        if ahead is not None and ahead.done() and ahead.exception() is None:
            _let_go(ahead.result())
        for cur in cursors:
            cur.close()


def _let_go(ready: _Ready) -> None:
    _drop_checked(ready.checked)
    if ready.opened is not None:
        ready.opened.close()


def _prepare(cursor, source: Source, landed: LandedFile, known: set[str], scratch: Path) -> _Ready:
    """Open, scan and (when its content is new) read and check ``landed`` on ``cursor``, on the worker."""
    ready = _Ready(cursor)
    if landed.kind != "file":
        return ready
    try:
        ready.opened = OpenedFile(landed.path)
    except (NotRegularFile, OSError) as exc:
        ready.open_error = exc
        return ready
    try:
        ready.facts = ready.opened.scan()
    except OSError as exc:  # the file's own failure, rejected at its turn (the caller's `with` closes it)
        ready.read_error = exc
        return ready
    except BaseException:
        ready.opened.close()
        raise
    if ready.facts.sha256 not in known:
        known.add(ready.facts.sha256)
        ready.checked = _check(cursor, source, ready.opened, ready.facts, landed.file_name, scratch)
    return ready


def _ingest_one(
    source: Source, landed: LandedFile, ledger: Ledger, scratch: Path, ready: _Ready
) -> LedgerEntry | None:
    """One landed entry to its ledger row (``None``: a known file touched but not changed)."""
    entry = LedgerEntry(source.name, landed.file_name, "", landed.size_bytes, landed.mtime_ns, "loaded")
    if landed.kind != "file":
        return _reject_unopened(ledger, entry, landed.kind)
    opened = ready.opened
    try:
        if ready.open_error is not None:
            raise ready.open_error
        opened = opened or OpenedFile(landed.path)
    except NotRegularFile as exc:
        return _reject_unopened(ledger, entry, exc.kind)
    except OSError as exc:  # e.g. no permission: the file stays in landing, read again once rewritten
        detail = f"{landed.file_name} cannot be opened ({errno.errorcode.get(exc.errno, 'error')})"
        return _reject(ledger, entry, FileReason.READER_ERROR, detail)
    with opened:
        try:
            if ready.read_error is not None:
                raise ready.read_error
            facts = ready.facts or opened.scan()
        except (
            OSError
        ) as exc:  # a read failing midway (a disk error): this file rejected, not the run stopped
            detail = (
                f"{landed.file_name} could not be read to the end ({errno.errorcode.get(exc.errno, 'error')})"
            )
            return _reject(ledger, entry, FileReason.READER_ERROR, detail)
        checked = ready.checked
        entry.sha256 = facts.sha256
        if ledger.already_recorded(landed, facts.sha256):  # touched but not changed
            _drop_checked(checked)
            ledger.touch(landed, facts.sha256)
            return None
        earlier = ledger.earlier_name(facts.sha256)
        if earlier is not None:
            _drop_checked(checked)
            entry.status, entry.reason = "duplicate", "same_content"
            entry.detail = (
                f"{landed.file_name} has the same content as {earlier}, which was taken; not read again"
            )
            ledger.record(entry)
        else:
            checked = checked or _check(ready.cursor, source, opened, facts, entry.file_name, scratch)
            _commit(checked, source, entry, ledger)
    return entry


def _reject_unopened(ledger: Ledger, entry: LedgerEntry, kind: str) -> LedgerEntry:
    """A symlink or special file: recorded without being opened (sha256 empty: its content was never read)."""
    if kind == "symlink":
        reason, what = FileReason.SYMLINK, "is a symlink; symlinks in landing/ are never followed"
    else:
        reason, what = FileReason.NOT_A_REGULAR_FILE, "is not a regular file (a FIFO, socket or device)"
    return _reject(ledger, entry, reason, f"{entry.file_name} {what}")


def _reject(ledger: Ledger, entry: LedgerEntry, reason: FileReason, detail: str, conn=None) -> LedgerEntry:
    entry.status, entry.reason, entry.detail = "rejected", str(reason), detail
    entry.encoding, entry.rows_read, entry.rows_loaded, entry.rows_quarantined = None, 0, 0, 0
    ledger.record(entry, conn)
    return entry


def _check(
    cursor, source: Source, opened: OpenedFile, facts: ByteFacts, name: str, scratch: Path
) -> _Checked:
    """Read ``opened`` and build its checked table on ``cursor`` (the expensive part, no shared table
    touched).

    Whatever goes wrong (a reason of ours, or anything the engine raises) is kept as the failure the commit
    turns into a rejected ledger row: no file can stop the run for the others. The engine's own message is not
    kept (it may quote the file's content); only its type is.
    """
    checked = _Checked(cursor)
    try:
        raw = read_file(cursor, source, opened, facts, name, scratch)
        checked.raw, checked.encoding = raw, raw.encoding
        checked.temp_tables = [CHECKED, *raw.temp_tables]
        validated = validate_select(
            source, raw.rows_sql, raw.present, raw.malformed_flag, raw.malformed_reason, raw.wrong_type_flags
        )
        # In file order (DuckDB keeps insertion order): the staging insert needs no sort.
        cursor.execute(f"CREATE OR REPLACE TEMP TABLE {CHECKED} AS {validated}")
        cursor.execute(mark_duplicates_sql(source, CHECKED))
        # One row of the checked table per row read: counting it spares a second pass over the file.
        checked.rows_read = cursor.execute(f"SELECT count(*) FROM {CHECKED}").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - any reader failure is a rejected file, never a stopped run
        checked.failure = exc
        _drop_temp(cursor, [CHECKED, *(checked.raw.temp_tables if checked.raw else [RAW])])
        checked.temp_tables = []
    return checked


def _commit(checked: _Checked, source: Source, entry: LedgerEntry, ledger: Ledger) -> None:
    """Quarantine, upsert and ledger row of a checked file in one transaction on the cursor holding its
    checked table; a failure (while reading or here) is the file's rejected ledger row instead."""
    conn = checked.cursor
    try:
        if checked.failure is not None:
            raise checked.failure
        entry.encoding, entry.rows_read = checked.encoding, checked.rows_read
        conn.execute("BEGIN TRANSACTION")
        try:
            entry.rows_quarantined = _quarantine(conn, source, entry, checked.raw.raw_json_sql)
            entry.rows_loaded = _upsert(conn, source, entry.file_name)
            ledger.record(entry, conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except FileRejected as rejected:
        _reject(ledger, entry, rejected.reason, rejected.detail, conn)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a rejected file, never a stopped run
        detail = f"{entry.file_name} could not be read ({type(exc).__name__}); nothing of it was loaded"
        _reject(ledger, entry, FileReason.READER_ERROR, detail, conn)
    finally:
        _drop_checked(checked)


def _drop_checked(checked: _Checked | None) -> None:
    if checked is not None:
        _drop_temp(checked.cursor, checked.temp_tables)
        checked.temp_tables = []


def _quarantine(conn, source: Source, entry: LedgerEntry, raw_json_sql: str) -> int:
    # The original rows of the bad rows only: the join alone no longer turned every row of the file to JSON.
    bad = f"SELECT _row_number FROM {CHECKED} WHERE _reason IS NOT NULL"
    return conn.execute(
        f"""INSERT INTO {QUARANTINE}
            SELECT ?, ?, ?, c._row_number, c._column, c._reason, r._raw
            FROM (SELECT * FROM {CHECKED} WHERE _reason IS NOT NULL) c
            LEFT JOIN ({raw_json_sql} WHERE rowid + 1 IN ({bad})) r USING (_row_number)
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
