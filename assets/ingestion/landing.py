"""Opening a landed file safely: never through a symlink, never a FIFO or device, never by a name DuckDB could
glob.

A file is opened once (``O_NOFOLLOW``, non-blocking) and everything afterwards goes through that descriptor:
the hash, the encoding sniff, the header, and DuckDB itself, which is handed ``/proc/self/fd/<n>``. That path
has no glob characters whatever the file is called (DuckDB expands ``*``, ``?`` and ``[ ]`` in any path it is
given), and it names the inode that was opened, so swapping the file for a symlink after the listing changes
nothing.

One pass over the bytes computes the sha256 and the facts the reader needs to pick an encoding: whether the
bytes are valid UTF-8 and whether they hold NUL bytes (binary content). Only a file that is not UTF-8 gets a
second pass, for bytes 0x80-0x9F (where cp1252 and latin-1 differ) and the five bytes cp1252 leaves undefined.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
C1_BYTES = re.compile(rb"[\x80-\x9f]")
CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotRegularFile(Exception):
    """The name no longer is (or never was) a regular file: a symlink or a special file."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind  # "symlink" or "special"


@dataclass(frozen=True)
class ByteFacts:
    sha256: str
    size: int
    bom: str | None  # the codec a byte-order mark names
    utf8: bool  # every byte sequence is valid UTF-8
    has_nul: bool


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "special"


class OpenedFile:
    """A landed file open for reading; ``duckdb_path`` is a name for it DuckDB reads literally."""

    def __init__(self, path: Path):
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            self.fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink put there after the listing
                raise NotRegularFile("symlink") from exc
            raise
        st = os.fstat(self.fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(self.fd)
            raise NotRegularFile("special")
        self.path = path
        self.size = st.st_size

    @property
    def duckdb_path(self) -> str:
        return fd_path(self.fd)

    def pread(self, size: int, offset: int = 0) -> bytes:
        return os.pread(self.fd, size, offset)

    def chunks(self):
        offset = 0
        while chunk := os.pread(self.fd, CHUNK, offset):
            offset += len(chunk)
            yield chunk

    def scan(self) -> ByteFacts:
        digest = hashlib.sha256()
        utf8 = codecs.getincrementaldecoder("utf-8")()
        valid, has_nul, first = True, False, b""
        for chunk in self.chunks():
            digest.update(chunk)
            if not first:
                first = chunk[:4]
            has_nul = has_nul or b"\x00" in chunk
            if not valid or (chunk.isascii() and utf8.getstate()[0] == b""):
                continue  # ASCII costs one C pass; a file already known not to be UTF-8 only needs its hash
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        if valid:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
        bom = next((codec for mark, codec in BOMS if first.startswith(mark)), None)
        return ByteFacts(digest.hexdigest(), self.size, bom, valid, has_nul)

    def single_byte_codec(self) -> str:
        """cp1252 when the file has bytes 0x80-0x9F and cp1252 defines them all, else latin-1 (which decodes
        any byte; without bytes 0x80-0x9F both read the same, and latin-1 is the plainer name)."""
        has_c1 = False
        for chunk in self.chunks():
            if CP1252_UNDEFINED.search(chunk):
                return "latin-1"
            has_c1 = has_c1 or C1_BYTES.search(chunk) is not None
        return "cp1252" if has_c1 else "latin-1"

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fd_path(fd: int) -> str:
    """A path that opens the file behind ``fd`` (Linux: /proc/self/fd; elsewhere /dev/fd)."""
    proc = f"/proc/self/fd/{fd}"
    return proc if os.path.exists(proc) else f"/dev/fd/{fd}"
