"""The file ledger: which landed files are new. A file is identified by its content (sha256), not its name.

A file whose (name, size, mtime) is already in the ledger is not even hashed, so a run over a landing folder
of old files costs a directory listing. A new name with known content is recorded as ``duplicate`` and not
read.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from assets.ingestion.landing import kind_of
from checks.ingest_tables import LEDGER, ensure_ingest_tables

#: Names that are not landed files: hidden files, editor/Excel lock files, uploads still in progress.
SKIP_PREFIXES = (".", "~$")
SKIP_SUFFIXES = (".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class LandedFile:
    path: Path
    file_name: str  # relative to landing/<source>/
    size_bytes: int  # of the name itself (lstat): a symlink is never followed, not even to be measured
    mtime_ns: int
    kind: str = "file"  # "file", "symlink" or "special" (FIFO, socket, device): only files are read


@dataclass
class LedgerEntry:
    source: str
    file_name: str
    sha256: str
    size_bytes: int
    mtime_ns: int
    status: str
    reason: str | None = None
    detail: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


def landed_files(folder: Path) -> list[LandedFile]:
    """Entries under ``folder`` in name order (the order a run applies them: a later file replaces an earlier
    row).

    Subfolders are walked, but never through a symlink: a symlinked file or folder is listed as ``symlink``
    and a FIFO, socket or device as ``special``, so the ledger can record each as rejected without opening it.
    """
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith(SKIP_PREFIXES) or entry.name.endswith(SKIP_SUFFIXES):
                    continue
                st = entry.stat(follow_symlinks=False)
                kind = kind_of(st.st_mode)
                if kind == "dir":
                    pending.append(Path(entry.path))
                    continue
                path = Path(entry.path)
                name = path.relative_to(folder).as_posix()
                found.append(LandedFile(path, name, st.st_size, st.st_mtime_ns, kind))
    return sorted(found, key=lambda f: f.file_name.split("/"))


def new_files(conn, source: str, folder: Path) -> list[LandedFile]:
    """The files of ``folder`` whose (name, size, mtime) the ledger has not seen: what a run would hash and
    read.

    A directory listing and one query, no hashing: cheap enough to decide before a run which sources changed.
    """
    ledger = Ledger(conn, source)
    return [f for f in landed_files(folder) if not ledger.unchanged(f)]


class Ledger:
    """The ledger rows of one source, read once per run and appended to as files are processed."""

    def __init__(self, conn, source: str):
        ensure_ingest_tables(conn)
        self.conn = conn
        self.source = source
        rows = conn.execute(
            f"SELECT file_name, sha256, size_bytes, mtime_ns, status FROM {LEDGER} WHERE source = ?", [source]
        ).fetchall()
        self._seen_stat = {(r[0], r[2], r[3]) for r in rows}
        self._seen_name_sha = {(r[0], r[1]) for r in rows}
        self._first_name_of_sha: dict[str, str] = {}
        for name, sha, *_ in sorted(rows, key=lambda r: r[0]):
            self._first_name_of_sha.setdefault(sha, name)

    def unchanged(self, f: LandedFile) -> bool:
        return (f.file_name, f.size_bytes, f.mtime_ns) in self._seen_stat

    def already_recorded(self, f: LandedFile, sha: str) -> bool:
        return (f.file_name, sha) in self._seen_name_sha

    def earlier_name(self, sha: str) -> str | None:
        return self._first_name_of_sha.get(sha)

    def known_contents(self) -> set[str]:
        """The sha256 of every file the ledger holds: a file with one of them is not read again."""
        return set(self._first_name_of_sha)

    def touch(self, f: LandedFile, sha: str, conn=None) -> None:
        """A file rewritten with the same content: remember its new size/mtime so it is not hashed again (and
        so a run planner comparing names, sizes and mtimes does not see it as new on every run)."""
        (conn or self.conn).execute(
            f"UPDATE {LEDGER} SET size_bytes = ?, mtime_ns = ? WHERE source = ? AND file_name = ? AND sha256 "
            "= ?",
            [f.size_bytes, f.mtime_ns, self.source, f.file_name, sha],
        )
        self._seen_stat.add((f.file_name, f.size_bytes, f.mtime_ns))

    def mark(self) -> tuple:
        """What the ledger knows now, for :meth:`rewind` should the transaction recording more roll back."""
        return set(self._seen_stat), set(self._seen_name_sha), dict(self._first_name_of_sha)

    def rewind(self, mark: tuple) -> None:
        seen_stat, seen_name_sha, first_name_of_sha = mark
        self._seen_stat, self._seen_name_sha = set(seen_stat), set(seen_name_sha)
        self._first_name_of_sha = dict(first_name_of_sha)

    def record(self, entry: LedgerEntry, conn=None) -> None:
        """Append a ledger row (inside the caller's transaction when loading a file: ``conn`` is the cursor
        holding it)."""
        (conn or self.conn).execute(
            f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry.source,
                entry.file_name,
                entry.sha256,
                entry.size_bytes,
                entry.mtime_ns,
                entry.status,
                entry.reason,
                entry.detail,
                entry.encoding,
                entry.rows_read,
                entry.rows_loaded,
                entry.rows_quarantined,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )
        self._seen_stat.add((entry.file_name, entry.size_bytes, entry.mtime_ns))
        self._seen_name_sha.add((entry.file_name, entry.sha256))
        self._first_name_of_sha.setdefault(entry.sha256, entry.file_name)
