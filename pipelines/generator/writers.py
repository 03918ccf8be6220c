"""Streaming file writers (csv, jsonl, xlsx) that plant bad rows and record every one of them in the truth.

Rows are dicts of column name -> text (``None`` = empty). A file is written row by row, so memory stays
bounded whatever the scale. Each :class:`SourceWriter` owns one landing folder and one source contract.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from domain.contracts import FileReason, Reason, Rule, Source

from . import formats
from .messiness import Defect, break_row, truncated_json
from .names import ascii_fold
from .truth import Truth

#: Columns scanned for valid-but-awkward values (the truth lists them so export tests know where to look).
TRICKY_COLUMNS = ("first_name", "last_name", "title", "name", "provider_name")
#: Fixed zip member time and workbook properties: an xlsx is byte-identical for a seed.
FIXED_ZIP_TIME = (2026, 10, 31, 0, 0, 0)
FIXED_WORKBOOK_TIME = datetime(2026, 10, 31, 0, 0, 0)
PROGRESS_EVERY = 2048

Row = dict[str, str | None]
ExtraColumn = tuple[int, Callable[[Row], str]]  # (position in the header, value from the row)


def tricky_kind(value: str) -> str | None:
    if "DROP TABLE" in value or "' OR '" in value:
        return "sql"
    if value[:1] in ("=", "+", "-", "@"):
        return "formula"
    if not value.isascii():
        return "non_ascii"
    return None


@dataclass
class SourceStats:
    files: int = 0
    rows_good: int = 0
    rows_bad: int = 0
    bytes: int = 0
    seconds: float = 0.0


class FileWriter:
    """One landing file. ``write`` takes good rows; planted bad rows are inserted at pre-drawn positions."""

    def __init__(
        self,
        owner: SourceWriter,
        path: Path,
        defects: list[Defect],
        expected_rows: int,
        columns: tuple[str, ...],
        extra: dict[str, ExtraColumn],
    ):
        self.owner, self.path, self.src = owner, path, owner.src
        self.columns = columns
        header = list(columns)
        for name, (pos, _) in sorted(extra.items(), key=lambda kv: kv[1][0]):
            header.insert(min(pos, len(header)), name)
        self.header, self.extra = header, extra
        rng = owner.rng
        span = max(expected_rows, len(defects), 1)
        self._pending = sorted(
            ((rng.randint(1, span), i, d) for i, d in enumerate(defects)), key=lambda t: t[:2]
        )
        self.rows = 0  # data rows written (good + bad): the 1-based row number of the last one
        self.good = 0
        self._last: Row | None = None
        self._since_progress = 0
        self._tricky_cols = tuple(c for c in TRICKY_COLUMNS if c in columns)
        self._fold = False  # latin-1 files fold what latin-1 cannot hold before anything else sees the row
        self._plain = not extra and tuple(header) == tuple(columns)

    # -- subclass hooks
    def _emit(self, row: Row) -> None:
        raise NotImplementedError

    def _emit_raw_line(self, text: str) -> None:
        raise NotImplementedError(f"{self.path.name}: raw lines only exist in jsonl")

    def _emit_with_stray_field(self, row: Row) -> None:
        raise NotImplementedError(f"{self.path.name}: a stray field only exists in csv")

    def _finish(self) -> None:
        raise NotImplementedError

    # -- public
    def write(self, row: Row) -> None:
        if self._fold:
            row = {k: (v if v is None else _latin1_safe(v)) for k, v in row.items()}
        self._emit(row)
        self.rows += 1
        self.good += 1
        self._last = row
        for col in self._tricky_cols:
            value = row.get(col)
            if value and (kind := tricky_kind(value)):
                self.owner.truth.tricky_values.append((self.src.name, self.path.name, self.rows, col, kind))
        while self._pending and self._pending[0][0] <= self.good:
            self._plant(self._pending.pop(0)[2])
        self._since_progress += 1
        if self._since_progress >= PROGRESS_EVERY:
            self.owner.advance(self._since_progress)
            self._since_progress = 0

    def _plant(self, defect: Defect) -> None:
        if self._last is None:
            raise RuntimeError(f"{self.path.name}: a bad row needs a good row to copy; write one first")
        fresh = None
        if defect.reason is not Reason.DUPLICATE_KEY:
            fresh = self.owner.fresh_key(self._last.get(self.src.key[0]))
        row = break_row(self.src, defect, self._last, fresh, self.owner.rng)
        if defect.reason is Reason.MALFORMED_JSON:
            self._emit_raw_line(truncated_json(self._row_values(row), self.owner.rng))
        elif defect.reason is Reason.MALFORMED_ROW:
            self._emit_with_stray_field(row)
        else:
            self._emit(row)
        self.rows += 1
        self.owner.truth.bad_rows.append((self.src.name, self.path.name, self.rows, defect.reason.value))
        self.owner.stats.rows_bad += 1

    def _row_values(self, row: Row) -> Row:
        if self._plain:
            return {name: row.get(name) for name in self.header}
        out: Row = {}
        for name in self.header:
            out[name] = self.extra[name][1](row) if name in self.extra else row.get(name)
        return out

    def close(self) -> None:
        if (
            self._last is None and self._pending
        ):  # no good row to copy: the next file of the source takes them
            self.owner.carry.extend(d for *_, d in self._pending)
            self._pending.clear()
        while self._pending:  # the file was shorter than expected: the rest go at the end
            self._plant(self._pending.pop(0)[2])
        self._finish()
        self.owner.advance(self._since_progress)
        self.owner.stats.rows_good += self.good
        self.owner.stats.files += 1
        self.owner.stats.bytes += self.path.stat().st_size

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CsvFile(FileWriter):
    def __init__(self, *args, encoding: str, delimiter: str = ",", **kwargs):
        super().__init__(*args, **kwargs)
        self._fold = encoding == "latin-1"
        self._header = tuple(self.header)
        self._fh = self.path.open("w", encoding=encoding, newline="")
        self._csv = csv.writer(self._fh, delimiter=delimiter, lineterminator="\n")
        self._csv.writerow(self.header)

    def _emit(self, row: Row) -> None:
        if self._plain:
            self._csv.writerow(["" if (v := row.get(c)) is None else v for c in self._header])
        else:
            self._csv.writerow(["" if v is None else v for v in self._row_values(row).values()])

    def _emit_with_stray_field(self, row: Row) -> None:
        # An unquoted comma in a free-text value, as a hand-edited export has: one field more than the header.
        self._csv.writerow(["" if v is None else v for v in self._row_values(row).values()] + ["stray"])

    def _finish(self) -> None:
        self._fh.close()


def _latin1_safe(text: str) -> str:
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        return ascii_fold(text)


class JsonlFile(FileWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fh = self.path.open("w", encoding="utf-8", newline="\n")

    def _emit(self, row: Row) -> None:
        self._fh.write(json.dumps(self._row_values(row), ensure_ascii=False, separators=(",", ":")) + "\n")

    def _emit_raw_line(self, text: str) -> None:
        self._fh.write(text + "\n")

    def _finish(self) -> None:
        self._fh.close()


class XlsxFile(FileWriter):
    """openpyxl write-only mode streams rows to a temporary sheet file, so memory stays bounded."""

    def __init__(self, *args, sheet_title: str = "Sheet1", **kwargs):
        super().__init__(*args, **kwargs)
        from openpyxl import Workbook

        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(sheet_title)
        self._ws.append(self.header)

    def _emit(self, row: Row) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells: list = []
        for v in self._row_values(row).values():
            if v is not None and v.startswith("=") and len(v) > 1:
                cell = WriteOnlyCell(self._ws, value=v)
                cell.data_type = "s"  # a name like =HYPERLINK("x") is text, never a formula
                cells.append(cell)
            else:
                cells.append(v)
        self._ws.append(cells)

    def _finish(self) -> None:
        self._wb.properties.creator = "portalytics generator"
        self._wb.save(self.path)
        normalise_xlsx(self.path)


def normalise_xlsx(path: Path) -> None:
    """Rewrite an xlsx with fixed member times and fixed created/modified properties (openpyxl stamps
    'now')."""
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    with zipfile.ZipFile(path) as src:
        members = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    props = DocumentProperties(
        creator="portalytics generator", created=FIXED_WORKBOOK_TIME, modified=FIXED_WORKBOOK_TIME
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            if name == "docProps/core.xml":
                data = tostring(props.to_tree())
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            out.writestr(info, data)
    path.write_bytes(buf.getvalue())


@dataclass
class SourceWriter:
    """Writes the files of one source under ``landing/<source>/`` and keeps its statistics."""

    src: Source
    folder: Path
    truth: Truth
    rng: random.Random
    advance: Callable[[int], None] = lambda n: None
    stats: SourceStats = field(default_factory=SourceStats)
    _fresh: int = 0
    #: Defects a file could not take (it had no good row to copy): the next file of the source plants them.
    carry: list[Defect] = field(default_factory=list)
    _started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def fresh_key(self, like: str | None) -> str:
        """A key no good row uses, for the copies that carry planted defects: ``P100107`` -> ``PQ00004``."""
        self._fresh += 1
        if self.src.column(self.src.key[0]).rule is Rule.NPI:
            return formats.npi_from_base(299_000_000 + self._fresh)  # real NPIs stay below 299_000_000
        prefix = (like or "").rstrip(
            "0123456789"
        ) or "X"  # generated keys have digits right after the letters
        return f"{prefix}Q{self._fresh:05d}"

    def open(
        self,
        name: str,
        *,
        expected_rows: int,
        defects: list[Defect] = (),
        encoding: str = "utf-8",
        columns: tuple[str, ...] | None = None,
        extra: dict[str, ExtraColumn] | None = None,
        delimiter: str = ",",
    ) -> FileWriter:
        path = self.folder / name
        cols = columns or self.src.column_names
        args = (self, path, [*self.carry, *defects], expected_rows, cols, extra or {})
        self.carry = []
        ext = name.rsplit(".", 1)[-1]
        if ext == "csv":
            return CsvFile(*args, encoding=encoding, delimiter=delimiter)
        if ext in ("jsonl", "ndjson"):
            return JsonlFile(*args)
        if ext == "xlsx":
            return XlsxFile(*args, sheet_title=self.src.name)
        raise ValueError(f"{name}: the generator writes csv, jsonl or xlsx")

    # -- whole-file problems (recorded as rejected; their rows are not part of the data)
    def reject_empty(self, name: str) -> None:
        (self.folder / name).write_bytes(b"")
        self._rejected(name, FileReason.EMPTY_FILE)

    def reject_missing_column(self, name: str, rows: list[Row], drop: str) -> None:
        cols = tuple(c for c in self.src.column_names if c != drop)
        self._write_plain(name, rows, cols, ",")
        self._rejected(name, FileReason.MISSING_COLUMNS)

    def reject_wrong_delimiter(self, name: str, rows: list[Row]) -> None:
        """Semicolons: a csv reader sees one unknown header column, so every contract column is missing."""
        self._write_plain(name, rows, self.src.column_names, ";")
        self._rejected(name, FileReason.MISSING_COLUMNS)

    def reject_corrupt_xlsx(self, name: str, rows: list[Row]) -> None:
        """A workbook cut off mid-transfer: the zip's central directory is missing."""
        tmp = self.folder / (name + ".tmp.xlsx")
        tmp_writer = XlsxFile(self, tmp, [], 0, self.src.column_names, {})
        for row in rows:
            tmp_writer._emit(row)
        tmp_writer._finish()
        data = tmp.read_bytes()
        tmp.unlink()
        (self.folder / name).write_bytes(data[: len(data) * 3 // 5])
        self._rejected(name, FileReason.UNREADABLE)

    def reland(self, original: str, copy_name: str) -> None:
        """The same bytes under another name (a resent file): it must be loaded once."""
        shutil.copyfile(self.folder / original, self.folder / copy_name)
        self.truth.relanded_files.append((self.src.name, copy_name, original))
        self._count_file(copy_name)

    def _write_plain(self, name: str, rows: list[Row], cols: tuple[str, ...], delimiter: str) -> None:
        with (self.folder / name).open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
            out.writerow(cols)
            for row in rows:
                out.writerow(["" if row.get(c) is None else row[c] for c in cols])

    def _rejected(self, name: str, reason: FileReason) -> None:
        self.truth.rejected_files.append((self.src.name, name, reason.value))
        self._count_file(name)

    def _count_file(self, name: str) -> None:
        self.stats.files += 1
        self.stats.bytes += (self.folder / name).stat().st_size

    def finish(self) -> SourceStats:
        if self.carry:
            raise RuntimeError(
                f"{self.src.name}: {len(self.carry)} planted bad rows found no file with good rows"
            )
        self.stats.seconds = time.perf_counter() - self._started
        return self.stats
