"""Read one landed file into a temporary all-text DuckDB table, or reject it whole with a :class:`FileReason`.

- CSV: DuckDB ``read_csv`` with every column as VARCHAR and a fixed comma delimiter (a file with another delimiter
  shows one unknown header column and is rejected for missing columns). UTF-8 (with or without BOM) is tried
  first; DuckDB refuses invalid UTF-8, and the file is then read as latin-1. Rows with too few or too many fields
  make the fast parallel reader fail; such files are re-read by the tolerant serial reader so no row is lost.
- JSON lines: read as text lines (so a truncated line is a quarantined row, not a lost one), parsed by DuckDB.
- xlsx: the first sheet via python-calamine into an Arrow table of strings.
Row numbers are 1-based data rows (CSV/xlsx: excluding the header; JSON lines: the line number).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from domain.contracts import FileReason, Reason, Source
from domain.sql_text import quote_ident, quote_str

RAW = "_ingest_raw"  # the temp table holding the file's text
EXTRA = "_extra_"
TOLERATED_EXTRA_FIELDS = 8
#: A CSV row with more fields than its header (an unquoted comma shifts every value after it). The contracts have
#: no reason of its own for it yet; until they do it is quarantined as a malformed record (the JSON one).
SURPLUS_FIELDS = Reason.MALFORMED_ROW
SMALL_FILE = 4096
ENCODINGS = ("utf-8", "latin-1")  # latin-1 decodes any byte: the fallback always reads
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "xlsx": "xlsx"}


class FileRejected(Exception):
    """The whole file is refused: nothing of it is loaded, the ledger records ``reason`` and ``detail``."""

    def __init__(self, reason: FileReason, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class RawFile:
    """A file read as text. ``rows_sql`` yields ``_row_number`` + one VARCHAR column per field (+ ``_malformed``)."""

    rows_sql: str
    raw_json_sql: str  # yields ``_row_number, _raw``: the original row as JSON text
    present: set[str]  # contract columns the file has
    encoding: str
    malformed_flag: str | None = None  # boolean column of rows_sql: the row is not a well-formed record
    malformed_reason: Reason = Reason.MALFORMED_JSON
    temp_tables: list[str] = field(default_factory=lambda: [RAW])


def file_format(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower().lstrip("."))


def read_file(conn: duckdb.DuckDBPyConnection, source: Source, path: Path) -> RawFile:
    fmt = file_format(path)
    if fmt is None or not any(EXTENSIONS.get(f) == fmt for f in source.formats):
        accepted = ", ".join(f".{f}" for f in source.formats)
        raise FileRejected(FileReason.UNSUPPORTED_FORMAT, f"{path.name}: {source.name} accepts {accepted}")
    _reject_if_empty(path)
    if fmt == "jsonl":
        return _read_jsonl(conn, source, path)
    if fmt == "xlsx":
        names = _load_xlsx(conn, path)
        return _tabular(source, path, names, "xlsx", tolerant=False)
    names, encoding, tolerant = _load_csv(conn, path)
    return _tabular(source, path, names, encoding, tolerant)


def _reject_if_empty(path: Path) -> None:
    size = path.stat().st_size
    if size == 0 or (size <= SMALL_FILE and not path.read_bytes().replace(b"\xef\xbb\xbf", b"").strip()):
        raise FileRejected(FileReason.EMPTY_FILE, f"{path.name} is empty (no header, no rows)")


def _header(path: Path) -> tuple[list[str], str]:
    """The header cells (trimmed, BOM dropped, made unique) and the encoding they decode with."""
    with path.open("rb") as fh:
        first = fh.readline()
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = first.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    cells = next(csv.reader([text.rstrip("\r\n")]), [])
    return _unique([c.strip() or f"column{i}" for i, c in enumerate(cells)]), encoding


def _csv_sql(path: Path, names: list[str], encoding: str, tolerant: bool) -> str:
    """read_csv with the header's columns given (no sniffing: a sniffer guesses, and guesses differently per file)."""
    columns = names + ([f"{EXTRA}{i}" for i in range(1, TOLERATED_EXTRA_FIELDS + 1)] if tolerant else [])
    options = [
        "columns = {" + ", ".join(f"{quote_str(n)}: 'VARCHAR'" for n in columns) + "}",
        "header = true",
        "auto_detect = false",
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "comment = ''",  # a value starting with '#' is data, not a comment
        f"encoding = {quote_str(encoding)}",
    ]
    if (
        tolerant
    ):  # pad short rows with NULL, catch surplus fields in _extra_* columns; needs the serial reader
        options += ["null_padding = true", "strict_mode = false", "parallel = false"]
    return f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM read_csv({quote_str(str(path))}, {', '.join(options)})"


def _load_csv(conn: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], str, bool]:
    """Load the CSV into the raw table; returns the header, the encoding and whether the tolerant reader was used.

    The fast reader is strict about the number of fields; a file with a short or long row is re-read by the
    tolerant one (short rows padded with NULL, surplus fields caught in ``_extra_*`` columns).
    """
    names, header_encoding = _header(path)
    encodings = ["latin-1"] if header_encoding == "latin-1" else list(ENCODINGS)
    last_error = ""
    for encoding in encodings:
        for tolerant in (False, True):
            try:
                conn.execute(_csv_sql(path, names, encoding, tolerant))
                return names, encoding, tolerant
            except duckdb.Error as exc:
                last_error = str(exc).splitlines()[0]
                if "unicode" in str(exc).lower():
                    break  # not this encoding; the tolerant reader would not help
    raise FileRejected(FileReason.UNREADABLE, f"{path.name} cannot be read as CSV: {last_error}")


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold (whole floats without '.0', dates as ISO)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _load_xlsx(conn: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own zip/xml errors for a corrupt workbook
        raise FileRejected(
            FileReason.UNREADABLE, f"{path.name} is not a readable xlsx workbook: {exc}"
        ) from exc
    while rows and all(_cell_text(v).strip() == "" for v in rows[-1]):
        rows.pop()  # trailing blank rows are formatting, not data
    if not rows:
        raise FileRejected(FileReason.EMPTY_FILE, f"{path.name} has an empty first sheet")
    header = [_cell_text(v) or f"column{i}" for i, v in enumerate(rows[0])]
    width = len(header)
    columns = (
        list(zip(*(list(r[:width]) + [""] * (width - len(r)) for r in rows[1:]), strict=True)) or [()] * width
    )
    names = _unique([h.strip() for h in header])
    table = pa.table(
        {
            n: pa.array([_cell_text(v) for v in col], pa.string())
            for n, col in zip(names, columns, strict=True)
        }
    )
    conn.register("_xlsx_frame", table)
    try:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM _xlsx_frame")
    finally:
        conn.unregister("_xlsx_frame")
    return names


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n] - 1}")
    return out


def _tabular(source: Source, path: Path, names: list[str], encoding: str, tolerant: bool) -> RawFile:
    """Check the header of a CSV/xlsx raw table and describe how to read its rows."""
    missing = [c for c in source.required_columns if c not in names]
    if missing:
        found = ", ".join(names[:12])
        hint = " (is it comma-delimited?)" if len(names) == 1 else ""
        raise FileRejected(
            FileReason.MISSING_COLUMNS,
            f"{path.name} lacks column(s) {', '.join(missing)}; header has: {found}{hint}",
        )
    surplus = "FALSE"
    if tolerant:
        surplus = " OR ".join(f"{EXTRA}{i} IS NOT NULL" for i in range(1, TOLERATED_EXTRA_FIELDS + 1))
    rows_sql = f"SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, ({surplus}) AS _malformed, * FROM {RAW}"
    raw_json = f"SELECT CAST(r.rowid + 1 AS INTEGER) AS _row_number, CAST(to_json(r) AS VARCHAR) AS _raw FROM {RAW} r"
    return RawFile(rows_sql, raw_json, set(source.column_names), encoding, "_malformed", SURPLUS_FIELDS)


def _read_jsonl(conn: duckdb.DuckDBPyConnection, source: Source, path: Path) -> RawFile:
    """One text line per row; blank lines are skipped but keep the line numbering."""
    last_error = ""
    for encoding in ENCODINGS:
        try:
            conn.execute(
                f"""CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT line FROM read_csv({quote_str(str(path))},
                    columns = {{'line': 'VARCHAR'}}, header = false, delim = '\\0', quote = '', escape = '',
                    comment = '', skip = 0, auto_detect = false, encoding = {quote_str(encoding)})"""
            )
            break
        except duckdb.Error as exc:
            last_error = str(exc).splitlines()[0]
    else:
        raise FileRejected(FileReason.UNREADABLE, f"{path.name} cannot be read as JSON lines: {last_error}")
    paths = ", ".join(quote_str("$." + c) for c in source.column_names)
    fields = ", ".join(f"f[{i}] AS {quote_ident(c)}" for i, c in enumerate(source.column_names, start=1))
    rows_sql = f"""
        SELECT _row_number, _malformed, {fields}
        FROM (
            SELECT _row_number, _malformed,
                   CASE WHEN NOT _malformed THEN json_extract_string(line, [{paths}]) END AS f
            FROM (
                SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, line,
                       NOT coalesce(json_valid(line) AND json_type(TRY_CAST(line AS JSON)) = 'OBJECT', false)
                           AS _malformed
                FROM {RAW} WHERE trim(coalesce(line, '')) <> ''
            )
        )
    """
    raw_json = f"SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, line AS _raw FROM {RAW}"
    return RawFile(
        rows_sql, raw_json, set(source.column_names), encoding, "_malformed", Reason.MALFORMED_JSON
    )
