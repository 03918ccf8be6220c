"""Load one source's new landed files into ``staging.<source>``: read, validate set-based, then commit.

Per file: bad rows go to the quarantine, good rows replace staging rows with the same key, and the ledger row
is written. A rejected file writes only its ledger row. Files commit in groups: one transaction holds a run of
consecutive files of about :data:`GROUP_ROWS` rows (a file that big alone is a group of its own), so DuckDB
writes their rows straight to compressed blocks (see :func:`_ingest_group`). A crash leaves either all of a
group or none of it, and the next run picks its files up again because their ledger rows are missing.
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
from assets.ingestion.readers import RAW, FileRejected, read_file
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
    :data:`OVERLAP_FROM_FILES` files are new) reads and checks the next group of files on a second cursor
    while the current group commits (see :func:`_overlapped`); the outcome is the serial one, row for row.
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
    groups = _overlapped(conn, source, todo, ledger, scratch) if overlap else _serial(conn, todo)
    with closing(groups):
        for group in groups:
            for entry in _ingest_group(source, group, ledger, scratch):
                if entry is None:
                    summary.files_unchanged += 1
                else:
                    summary.entries.append(entry)
    return summary


#: Sources with more new files than this read the next group of files while the current one commits.
OVERLAP_FROM_FILES = 2
#: DuckDB's rows per row group (its default ``row_group_size``).
ROW_GROUP_ROWS = 122_880
#: A group of files commits in one transaction once its checked files hold this many rows. A transaction that
#: inserts whole row groups has DuckDB compress them into blocks as it goes, on all its threads; one that
#: inserts less (a claims file: ~81k rows at medium) goes through the write-ahead log, and a later checkpoint
#: on one core re-reads and merges the part-full row groups. Four row groups, so at most a fifth of a group's
#: rows (the last, part-full row group) take that path. Measured: docs/operations.md, "Issue 22 point 1,
#: eighth pass (session 11): files committed in groups".
GROUP_ROWS = 4 * ROW_GROUP_ROWS


@dataclass
class _Checked:
    """A file read and checked on ``cursor``: its checked table ``table`` (its good and bad rows) and
    ``bad_table`` (its bad rows with their original text), or why it has none, await the commit."""

    cursor: object
    table: str = CHECKED
    bad_table: str = f"{CHECKED}_bad"
    encoding: str | None = None
    rows_read: int = 0
    failure: Exception | None = None  # FileRejected, or any engine error (its type only is kept)
    temp_tables: list[str] = field(default_factory=list)


@dataclass
class _Ready:
    """One landed entry as far as it can go before the ledger's in-order decision: opened, scanned and
    (when it looks new) read and checked on ``cursor``. ``None`` fields were not reached. ``slot`` numbers
    the entry within its group: its checked tables' names."""

    landed: LandedFile
    cursor: object
    slot: int = 0
    opened: OpenedFile | None = None
    open_error: Exception | None = None  # NotRegularFile or OSError, raised again where the serial path did
    read_error: OSError | None = None  # a read failing midway through the scan (EIO, a file cut short)
    facts: ByteFacts | None = None
    checked: _Checked | None = None


class _ReadAtItsTurn(Exception):
    """A file of a group must be read at its turn (it was not read ahead): read outside any transaction."""


def _serial(conn, todo: list[LandedFile]):
    """Nothing ahead of time: each file is a group of its own, opened, scanned and read at its turn, on
    ``conn``."""
    for landed in todo:
        yield [_Ready(landed, conn)]


def _overlapped(conn, source: Source, todo: list[LandedFile], ledger: Ledger, scratch: Path):
    """The files of ``todo`` in order, in groups, each group prepared (opened, scanned, read and checked) one
    group ahead.

    One worker thread prepares group g+1 on one of two cursors while the caller commits group g on the
    other, the cursor that built group g's checked tables (temp tables belong to their cursor). Commits and
    every ledger decision stay in name order on the calling thread, so staging, quarantine and ledger end as
    the serial loop leaves them; at most two groups are in flight. DuckDB runs both statements in the one
    process, its threads shared: a file is read by one thread, so the second core otherwise idles. The
    worker skips reading a file whose content the ledger or an earlier file of the run already has (it will
    be ``duplicate`` or touched); should the ledger decide otherwise, the file is read at its turn.
    """
    cursors = [conn.cursor(), conn.cursor()]
    known = ledger.known_contents()
    ahead = None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ingest-{source.name}") as pool:
            start, g = 0, 0
            while start < len(todo):
                first = ahead or pool.submit(_prepare_group, cursors[0], source, todo, 0, known, scratch)
                group = first.result()
                ahead, start, g = None, start + len(group), g + 1
                if start < len(todo):
                    ahead = pool.submit(_prepare_group, cursors[g % 2], source, todo, start, known, scratch)
                yield group
    finally:  # the run stopped early (an error in the caller): the group read ahead is let go
        if ahead is not None and ahead.done() and ahead.exception() is None:
            for ready in ahead.result():
                _let_go(ready)
        for cur in cursors:
            cur.close()


def _prepare_group(
    cursor, source: Source, todo: list[LandedFile], start: int, known: set[str], scratch: Path
) -> list[_Ready]:
    """Prepare the files of ``todo`` from ``start`` on ``cursor`` until they hold :data:`GROUP_ROWS`
    rows."""
    group: list[_Ready] = []
    rows = 0
    try:
        for landed in todo[start:]:
            ready = _prepare(cursor, source, landed, known, scratch, len(group))
            group.append(ready)
            rows += ready.checked.rows_read if ready.checked else 0
            if rows >= GROUP_ROWS:
                break
    except BaseException:
        for ready in group:
            _let_go(ready)
        raise
    return group


def _let_go(ready: _Ready) -> None:
    _drop_checked(ready.checked)
    if ready.opened is not None:
        ready.opened.close()


def _prepare(cursor, source: Source, landed: LandedFile, known: set[str], scratch: Path, slot: int) -> _Ready:
    """Open, scan and (when its content is new) read and check ``landed`` on ``cursor``, on the worker."""
    ready = _Ready(landed, cursor, slot)
    if landed.kind != "file":
        return ready
    try:
        ready.opened = OpenedFile(landed.path)
    except (NotRegularFile, OSError) as exc:
        ready.open_error = exc
        return ready
    try:
        ready.facts = ready.opened.scan()
    except OSError as exc:  # the file's own failure, rejected at its turn (the caller closes it)
        ready.read_error = exc
        return ready
    except BaseException:
        ready.opened.close()
        raise
    if ready.facts.sha256 not in known:
        known.add(ready.facts.sha256)
        ready.checked = _check(cursor, source, ready.opened, ready.facts, landed.file_name, scratch, slot)
    return ready


def _ingest_group(
    source: Source, group: list[_Ready], ledger: Ledger, scratch: Path
) -> list[LedgerEntry | None]:
    """The ledger rows of a group of files, committed in one transaction on the group's cursor.

    Should any statement of it fail (or a file need reading at its turn), the transaction is rolled back, the
    ledger's memory of it forgotten, and the files go again one transaction each, as the serial loop takes
    them: the failing file is rejected, the others load. A single file is its own transaction.
    """
    try:
        entries = _in_one_transaction(source, group, ledger, scratch) if len(group) > 1 else None
        if entries is None:
            entries = [_ingest_one(source, ready, ledger, scratch) for ready in group]
        return entries
    finally:
        for ready in group:
            _let_go(ready)


def _in_one_transaction(
    source: Source, group: list[_Ready], ledger: Ledger, scratch: Path
) -> list[LedgerEntry | None] | None:
    """The group's ledger rows, committed together; ``None`` when the transaction was rolled back."""
    cursor, mark = group[0].cursor, ledger.mark()
    try:
        cursor.execute("BEGIN TRANSACTION")
        try:
            entries = [_ingest_one(source, ready, ledger, scratch, in_group=True) for ready in group]
            cursor.execute("COMMIT")
        except BaseException:
            ledger.rewind(mark)
            cursor.execute("ROLLBACK")
            raise
    except Exception:  # noqa: BLE001 - the files go again one by one, where a failure rejects one file only
        return None
    return entries


def _ingest_one(
    source: Source, ready: _Ready, ledger: Ledger, scratch: Path, *, in_group: bool = False
) -> LedgerEntry | None:
    """One landed entry to its ledger row (``None``: a known file touched but not changed), written on the
    entry's cursor: in the group's transaction when ``in_group``, else in a transaction of its own."""
    landed, conn = ready.landed, ready.cursor
    entry = LedgerEntry(source.name, landed.file_name, "", landed.size_bytes, landed.mtime_ns, "loaded")
    if landed.kind != "file":
        return _reject_unopened(ledger, entry, landed.kind, conn)
    try:
        if ready.open_error is not None:
            raise ready.open_error
        ready.opened = ready.opened or OpenedFile(landed.path)
    except NotRegularFile as exc:
        return _reject_unopened(ledger, entry, exc.kind, conn)
    except OSError as exc:  # e.g. no permission: the file stays in landing, read again once rewritten
        detail = f"{landed.file_name} cannot be opened ({errno.errorcode.get(exc.errno, 'error')})"
        return _reject(ledger, entry, FileReason.READER_ERROR, detail, conn)
    try:
        if ready.read_error is not None:
            raise ready.read_error
        ready.facts = ready.facts or ready.opened.scan()
    except OSError as exc:  # a read failing midway (a disk error): this file rejected, not the run stopped
        ready.read_error = exc
        detail = (
            f"{landed.file_name} could not be read to the end ({errno.errorcode.get(exc.errno, 'error')})"
        )
        return _reject(ledger, entry, FileReason.READER_ERROR, detail, conn)
    sha = entry.sha256 = ready.facts.sha256
    if ledger.already_recorded(landed, sha):  # touched but not changed
        ledger.touch(landed, sha, conn)
        return None
    earlier = ledger.earlier_name(sha)
    if earlier is not None:
        entry.status, entry.reason = "duplicate", "same_content"
        entry.detail = (
            f"{landed.file_name} has the same content as {earlier}, which was taken; not read again"
        )
        ledger.record(entry, conn)
        return entry
    if ready.checked is None:
        if in_group:  # reading inside the transaction: a reader's failure would abort the whole group
            raise _ReadAtItsTurn(landed.file_name)
        ready.checked = _check(conn, source, ready.opened, ready.facts, entry.file_name, scratch, ready.slot)
    _commit(ready.checked, source, entry, ledger, in_group=in_group)
    return entry


def _reject_unopened(ledger: Ledger, entry: LedgerEntry, kind: str, conn) -> LedgerEntry:
    """A symlink or special file: recorded without being opened (sha256 empty: its content was never read)."""
    if kind == "symlink":
        reason, what = FileReason.SYMLINK, "is a symlink; symlinks in landing/ are never followed"
    else:
        reason, what = FileReason.NOT_A_REGULAR_FILE, "is not a regular file (a FIFO, socket or device)"
    return _reject(ledger, entry, reason, f"{entry.file_name} {what}", conn)


def _reject(ledger: Ledger, entry: LedgerEntry, reason: FileReason, detail: str, conn) -> LedgerEntry:
    entry.status, entry.reason, entry.detail = "rejected", str(reason), detail
    entry.encoding, entry.rows_read, entry.rows_loaded, entry.rows_quarantined = None, 0, 0, 0
    ledger.record(entry, conn)
    return entry


def _check(
    cursor, source: Source, opened: OpenedFile, facts: ByteFacts, name: str, scratch: Path, slot: int = 0
) -> _Checked:
    """Read ``opened`` and build its checked tables on ``cursor`` (the expensive part, no shared table
    touched); ``slot`` names them apart from the other files of the group.

    Whatever goes wrong (a reason of ours, or anything the engine raises) is kept as the failure the commit
    turns into a rejected ledger row: no file can stop the run for the others. The engine's own message is not
    kept (it may quote the file's content); only its type is.
    """
    table = f"{CHECKED}_{slot}"
    checked = _Checked(cursor, table, f"{table}_bad")
    raw_tables = [RAW]
    try:
        raw = read_file(cursor, source, opened, facts, name, scratch)
        raw_tables = raw.temp_tables
        checked.encoding = raw.encoding
        checked.temp_tables = [checked.table, checked.bad_table]
        validated = validate_select(
            source, raw.rows_sql, raw.present, raw.malformed_flag, raw.malformed_reason, raw.wrong_type_flags
        )
        # In file order (DuckDB keeps insertion order): the staging insert needs no sort.
        cursor.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {validated}")
        cursor.execute(mark_duplicates_sql(source, table))
        # One row of the checked table per row read: counting it spares a second pass over the file.
        checked.rows_read = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        # The original text of the bad rows only, while the file's text is at hand (the group's next file
        # replaces it): the join alone no longer turned every row of the file to JSON.
        bad = f"SELECT _row_number FROM {table} WHERE _reason IS NOT NULL"
        cursor.execute(
            f"""CREATE OR REPLACE TEMP TABLE {checked.bad_table} AS
                SELECT c._row_number, c._column, c._reason, r._raw
                FROM (SELECT * FROM {table} WHERE _reason IS NOT NULL) c
                LEFT JOIN ({raw.raw_json_sql} WHERE rowid + 1 IN ({bad})) r USING (_row_number)
                ORDER BY c._row_number"""
        )
    except Exception as exc:  # noqa: BLE001 - any reader failure is a rejected file, never a stopped run
        checked.failure = exc
        _drop_temp(cursor, [table, checked.bad_table])
        checked.temp_tables = []
    finally:
        _drop_temp(cursor, raw_tables)
    return checked


def _commit(checked: _Checked, source: Source, entry: LedgerEntry, ledger: Ledger, *, in_group: bool) -> None:
    """Quarantine, upsert and ledger row of a checked file on the cursor holding its checked tables; a failure
    (while reading, or here) is the file's rejected ledger row instead.

    Alone, the file commits in a transaction of its own. In a group, the group's transaction holds it, and a
    failing statement is the group's to handle (its transaction can go no further)."""
    conn = checked.cursor
    try:
        if checked.failure is not None:
            raise checked.failure
        entry.encoding, entry.rows_read = checked.encoding, checked.rows_read
        if in_group:
            return _write(conn, checked, source, entry, ledger)
        conn.execute("BEGIN TRANSACTION")
        try:
            _write(conn, checked, source, entry, ledger)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except FileRejected as rejected:
        _reject(ledger, entry, rejected.reason, rejected.detail, conn)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a rejected file, never a stopped run
        if in_group and checked.failure is None:
            raise
        detail = f"{entry.file_name} could not be read ({type(exc).__name__}); nothing of it was loaded"
        _reject(ledger, entry, FileReason.READER_ERROR, detail, conn)


def _write(conn, checked: _Checked, source: Source, entry: LedgerEntry, ledger: Ledger) -> None:
    entry.rows_quarantined = _quarantine(conn, source, entry, checked.bad_table)
    entry.rows_loaded = _upsert(conn, source, entry.file_name, checked.table)
    ledger.record(entry, conn)


def _drop_checked(checked: _Checked | None) -> None:
    if checked is not None:
        _drop_temp(checked.cursor, checked.temp_tables)
        checked.temp_tables = []


def _quarantine(conn, source: Source, entry: LedgerEntry, bad_table: str) -> int:
    return conn.execute(
        f"INSERT INTO {QUARANTINE} SELECT ?, ?, ?, * FROM {bad_table} ORDER BY _row_number",
        [source.name, entry.file_name, entry.sha256],
    ).fetchone()[0]


def _upsert(conn, source: Source, file_name: str, checked_table: str) -> int:
    """Replace staging rows whose key the file brings, then insert the file's good rows."""
    table = staging_table(source)
    if conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]:
        match = " AND ".join(f"s.{quote_ident(k)} = c.{quote_ident(k)}" for k in source.key)
        conn.execute(f"DELETE FROM {table} s USING {checked_table} c WHERE c._reason IS NULL AND {match}")
    cols = ", ".join(quote_ident(c) for c in source.column_names)
    return conn.execute(
        f"""INSERT INTO {table} ({cols}, _file_name, _row_number)
            SELECT {cols}, ?, _row_number FROM {checked_table} WHERE _reason IS NULL""",
        [file_name],
    ).fetchone()[0]


def _drop_temp(conn, tables: list[str]) -> None:
    for t in tables:
        conn.execute(f"DROP TABLE IF EXISTS {t}")
