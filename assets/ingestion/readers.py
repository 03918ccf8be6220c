"""Read one landed file into a temporary all-text DuckDB table, or reject it whole with a :class:`FileReason`.

- Every file is read through its open descriptor (``assets.ingestion.landing``): DuckDB gets
  ``/proc/self/fd/<n>``, never the file's name, so no name is ever a glob.
- Encodings: a byte-order mark decides (UTF-8, UTF-16, UTF-32); otherwise valid UTF-8 is UTF-8, then cp1252,
  then latin-1 (which decodes any byte). UTF-8 is read by DuckDB directly; any other encoding is first decoded
  by Python into a private, already-unlinked temporary UTF-8 copy under the data directory. NUL bytes without
  a UTF-16/32 mark mean binary content: rejected as ``not_text``. LF, CRLF and bare CR line endings are all
  read.
- CSV: DuckDB ``read_csv`` with every column as VARCHAR and a fixed comma delimiter. The header row is parsed
  by Python's csv module and its cells never reach SQL: the raw table's columns are positional (``c1``,
  ``c2``…), the header maps contract columns to positions, and the header text only appears as string literals
  (the keys of the quarantined row's JSON). Rows with too few or too many fields make the fast parallel reader
  fail; such files are re-read by the tolerant serial reader so no row is lost.
- JSON lines: read as text lines (so a truncated line is a quarantined row, not a lost one), parsed by DuckDB;
  a value of another JSON type than its column's (an object or a number where text is expected) is flagged.
- xlsx: the first sheet via python-calamine, as text, into the raw table in batches of Arrow tables.

Details of a rejected file name the file, its columns and line numbers, never a cell: a header row may well be
a data row (a file without a header), and DuckDB's own messages quote the offending line, so they are not
passed on. Row numbers are 1-based data rows (CSV/xlsx: excluding the header; JSON lines: the line number).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from assets.ingestion.landing import ByteFacts, OpenedFile, fd_path
from domain.contracts import FileReason, Kind, Reason, Source
from domain.sql_text import quote_ident, quote_str

RAW = "_ingest_raw"  # the temp table holding the file's text
EXTRA = "_extra_"
TOLERATED_EXTRA_FIELDS = 8
#: A CSV row with more fields than its header (an unquoted comma shifts every value after it).
SURPLUS_FIELDS = Reason.MALFORMED_ROW
SMALL_FILE = 4096
#: xlsx rows turned into Python text and handed to DuckDB at a time.
XLSX_BATCH_ROWS = 50_000
#: The header row must end within this many bytes (a binary blob or a file with no line breaks does not).
HEADER_BYTES = 1 << 20
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "xlsx": "xlsx"}
#: JSON types (DuckDB's json_type names) a column of each kind accepts; JSON null always reads as empty.
JSON_TYPES = {
    Kind.STR: ("VARCHAR",),
    Kind.DATE: ("VARCHAR",),
    Kind.TS: ("VARCHAR",),
    Kind.INT: ("UBIGINT", "BIGINT", "HUGEINT", "DOUBLE"),
    Kind.DECIMAL: ("UBIGINT", "BIGINT", "HUGEINT", "DOUBLE"),
    Kind.BOOL: ("BOOLEAN",),
}


#: A line that is not a JSON object, given ``parsed`` (any extraction from ``line`` under ``try()``: NULL
#: exactly when the line is not JSON). The verdict of ``coalesce(try(json_type(line)) <> 'OBJECT', true)``
#: without a parse of its own: the root of a JSON text is an object exactly when its first character after
#: JSON's whitespace is '{'.
JSON_NOT_OBJECT = (
    "({parsed} IS NULL OR NOT (starts_with({line}, '{{') OR starts_with(ltrim({line}, e' \\t\\r\\n'), '{{')))"
)


class FileRejected(Exception):
    """The whole file is refused: nothing of it is loaded, the ledger records ``reason`` and ``detail``."""

    def __init__(self, reason: FileReason, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class RawFile:
    """A file read as text. ``rows_sql`` yields ``_row_number`` + one VARCHAR column per field (+
    ``_malformed``)."""

    rows_sql: str
    #: yields ``_row_number, _raw``: the original row as JSON text; ends with its ``FROM``, so a ``WHERE`` on
    #: ``rowid`` can follow (the quarantine builds the JSON of its few bad rows only)
    raw_json_sql: str
    present: set[str]  # contract columns the file has
    encoding: str
    malformed_flag: str | None = None  # boolean column of rows_sql: the row is not a well-formed record
    malformed_reason: Reason = Reason.MALFORMED_JSON
    temp_tables: list[str] = field(default_factory=lambda: [RAW])
    #: contract column -> boolean column of rows_sql: its JSON value has the wrong type
    wrong_type_flags: dict[str, str] = field(default_factory=dict)


def file_format(name: str) -> str | None:
    return EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))


def read_file(
    conn: duckdb.DuckDBPyConnection,
    source: Source,
    opened: OpenedFile,
    facts: ByteFacts,
    name: str,
    scratch: Path,
) -> RawFile:
    """Read ``opened`` (landed as ``name``) into the raw table; ``scratch`` holds decoded copies while
    reading."""
    fmt = file_format(name)
    if fmt is None or not any(EXTENSIONS.get(f) == fmt for f in source.formats):
        accepted = ", ".join(f".{f}" for f in source.formats)
        raise FileRejected(FileReason.UNSUPPORTED_FORMAT, f"{name}: {source.name} accepts {accepted}")
    if facts.size == 0:
        raise FileRejected(FileReason.EMPTY_FILE, f"{name} is empty (no header, no rows)")
    if fmt == "xlsx":
        names = _load_xlsx(conn, opened, name)
        return _tabular(source, name, names, "xlsx", tolerant=False)
    encoding = _encoding(opened, facts, name)
    with _utf8_copy(opened, encoding, name, scratch) as text:
        if facts.size <= SMALL_FILE and not _decode_head(text, SMALL_FILE).replace("\ufeff", "").strip():
            raise FileRejected(FileReason.EMPTY_FILE, f"{name} is empty (no header, no rows)")
        if fmt == "jsonl":
            return _read_jsonl(conn, source, text, name, encoding)
        names, tolerant = _load_csv(conn, text, name)
    return _tabular(source, name, names, encoding, tolerant)


def _encoding(opened: OpenedFile, facts: ByteFacts, name: str) -> str:
    """The codec the file is read with: its byte-order mark's, else UTF-8, cp1252, latin-1 in that order."""
    if facts.bom is not None:
        return facts.bom
    if facts.has_nul:
        raise FileRejected(
            FileReason.NOT_TEXT,
            f"{name} holds NUL bytes: binary content, not text (UTF-16 needs a byte-order mark)",
        )
    if facts.utf8:
        return "utf-8"
    return opened.single_byte_codec()


class _Utf8Text:
    """The file as UTF-8 for DuckDB: the landed file itself, or a decoded temporary copy (deleted on
    close)."""

    def __init__(self, path: str, copy=None):
        self.path = path
        self._copy = copy

    def __enter__(self) -> _Utf8Text:
        return self

    def __exit__(self, *exc) -> None:
        if self._copy is not None:
            self._copy.close()


def _utf8_copy(opened: OpenedFile, encoding: str, name: str, scratch: Path) -> _Utf8Text:
    if encoding in ("utf-8", "utf-8-sig"):
        return _Utf8Text(opened.duckdb_path)
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    # unlinked at once (O_TMPFILE), closed by _Utf8Text: nothing is left behind
    copy = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for chunk in opened.chunks():
            copy.write(decoder.decode(chunk).encode("utf-8"))
        copy.write(decoder.decode(b"", final=True).encode("utf-8"))
        copy.flush()
    except UnicodeDecodeError as exc:
        copy.close()
        raise FileRejected(
            FileReason.BAD_ENCODING,
            f"{name} starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} "
            f"(byte {exc.start} of a block)",
        ) from None
    return _Utf8Text(fd_path(copy.fileno()), copy)


def _head(text: _Utf8Text, size: int) -> bytes:
    with open(text.path, "rb") as fh:  # a fresh descriptor: /proc/self/fd/<n> reopens the same file
        return fh.read(size)


def _decode_head(text: _Utf8Text, size: int) -> str:
    return codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(_head(text, size))


def _header(text: _Utf8Text, name: str) -> list[str]:
    """The header row's cells (trimmed, BOM dropped), parsed like any CSV row (quotes, CR, LF, CRLF)."""
    raw = _head(text, HEADER_BYTES)
    if len(raw) == HEADER_BYTES and b"\n" not in raw and b"\r" not in raw:
        raise FileRejected(FileReason.UNREADABLE, f"{name} has no line break in its first MiB: no header row")
    head = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(raw)
    try:
        cells = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error:
        raise FileRejected(FileReason.UNREADABLE, f"{name}: its header row cannot be parsed as CSV") from None
    return [c.strip() for c in cells]


def _columns(width: int, tolerant: bool) -> list[str]:
    return [f"c{i}" for i in range(1, width + 1)] + (
        [f"{EXTRA}{i}" for i in range(1, TOLERATED_EXTRA_FIELDS + 1)] if tolerant else []
    )


def _csv_sql(path: str, width: int, tolerant: bool) -> str:
    """read_csv with positional columns given (no sniffing: a sniffer guesses, and guesses differently per
    file)."""
    options = [
        "columns = {" + ", ".join(f"'{c}': 'VARCHAR'" for c in _columns(width, tolerant)) + "}",
        "header = true",
        "auto_detect = false",
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "comment = ''",  # a value starting with '#' is data, not a comment
        "encoding = 'utf-8'",
    ]
    if (
        tolerant
    ):  # pad short rows with NULL, catch surplus fields in _extra_* columns; needs the serial reader
        options += ["null_padding = true", "strict_mode = false", "parallel = false"]
    return (
        f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM read_csv({quote_str(path)}, "
        f"{', '.join(options)})"
    )


def _load_csv(conn: duckdb.DuckDBPyConnection, text: _Utf8Text, name: str) -> tuple[list[str], bool]:
    """Load the CSV into the raw table; returns the header and whether the tolerant reader was used.

    The fast reader is strict about the number of fields; a file with a short or long row is re-read by the
    tolerant one (short rows padded with NULL, surplus fields caught in ``_extra_*`` columns).
    """
    header = _header(text, name)
    line = None
    for tolerant in (False, True):
        try:
            conn.execute(_csv_sql(text.path, len(header), tolerant))
            return header, tolerant
        except duckdb.Error as exc:  # its message quotes the line: keep only the line number
            found = re.search(r"Line: (\d+)", str(exc))
            line = found.group(1) if found else None
    where = f" near line {line}" if line else ""
    raise FileRejected(
        FileReason.UNREADABLE, f"{name} cannot be read as CSV: broken quoting or field count{where}"
    )


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


def _load_xlsx(conn: duckdb.DuckDBPyConnection, opened: OpenedFile, name: str) -> list[str]:
    """Load the first sheet into the raw table in batches of :data:`XLSX_BATCH_ROWS` rows: a 600k-row export
    (large scale) never exists as Python lists all at once. Trailing blank rows are formatting, not data."""
    from python_calamine import CalamineWorkbook

    try:
        with os.fdopen(os.dup(opened.fd), "rb") as fh:
            sheet = CalamineWorkbook.from_filelike(fh).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own zip/xml errors for a corrupt workbook
        raise FileRejected(
            FileReason.UNREADABLE, f"{name} is not a readable xlsx workbook ({type(exc).__name__})"
        ) from None
    # iter_rows starts at the sheet's first used column; the rows are read from column A, as
    # to_python(skip_empty_area=False) gives them (a workbook whose header starts further right keeps its
    # leading empty columns)
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    rows = (pad + list(r) for r in sheet.iter_rows())
    first = next(rows, None)
    header = [] if first is None else [_cell_text(v).strip() for v in first]
    width = len(header)
    names = _columns(width, False)
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {RAW} ({', '.join(f'{n} VARCHAR' for n in names) or 'c1 VARCHAR'})"
    )
    batch: list[list[str]] = []
    blanks: list[list[str]] = []  # blank rows seen since the last row with a value: data only if one follows
    loaded = 0
    for row in rows:
        cells = [_cell_text(v) for v in row[:width]] + [""] * (width - len(row))
        if all(c.strip() == "" for c in cells):
            blanks.append(cells)
            continue
        batch += blanks
        blanks.clear()
        batch.append(cells)
        if len(batch) >= XLSX_BATCH_ROWS:
            loaded += _insert_xlsx_rows(conn, names, batch)
            batch = []
    loaded += _insert_xlsx_rows(conn, names, batch)
    if not loaded and all(h == "" for h in header):
        raise FileRejected(FileReason.EMPTY_FILE, f"{name} has an empty first sheet")
    return header


def _insert_xlsx_rows(conn: duckdb.DuckDBPyConnection, names: list[str], rows: list[list[str]]) -> int:
    if not rows:
        return 0
    table = pa.table(
        {n: pa.array(col, pa.string()) for n, col in zip(names, zip(*rows, strict=True), strict=True)}
    )
    conn.register("_xlsx_frame", table)
    try:
        conn.execute(f"INSERT INTO {RAW} SELECT * FROM _xlsx_frame")
    finally:
        conn.unregister("_xlsx_frame")
    return len(rows)


def raw_keys(header: list[str]) -> list[str]:
    """The keys of the quarantined row's JSON: the header cells, an empty one as ``column<n>``, repeats
    suffixed."""
    seen: set[str] = set()
    out = []
    for i, cell in enumerate(header, start=1):
        base = cell or f"column{i}"
        key, n = base, 1
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        out.append(key)
    return out


def _tabular(source: Source, name: str, header: list[str], encoding: str, tolerant: bool) -> RawFile:
    """Map the header of a CSV/xlsx raw table to the contract and describe how to read its rows."""
    position: dict[str, int] = {}
    repeated = []
    for i, cell in enumerate(header, start=1):
        if cell in source.column_names:
            if cell in position:
                repeated.append(cell)
            position.setdefault(cell, i)
    missing = [c for c in source.required_columns if c not in position]
    if missing:
        hint = ""
        if len(header) == 1:
            hint = " (is it comma-delimited?)"
        elif not position:
            hint = " (does it have a header row?)"
        raise FileRejected(
            FileReason.MISSING_COLUMNS,
            f"{name} lacks column(s) {', '.join(missing)}; its header row has {len(header)} cell(s), "
            f"{len(position)} of them contract columns{hint}",
        )
    if repeated:
        raise FileRejected(
            FileReason.DUPLICATE_COLUMNS,
            f"{name} names column(s) {', '.join(sorted(set(repeated)))} more than once: which one holds the "
            "data "
            "is ambiguous",
        )
    surplus = "FALSE"
    if tolerant:
        surplus = " OR ".join(f"{EXTRA}{i} IS NOT NULL" for i in range(1, TOLERATED_EXTRA_FIELDS + 1))
    fields = ", ".join(f"c{position[c]} AS {quote_ident(c)}" for c in source.column_names)
    rows_sql = (
        f"SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, ({surplus}) AS _malformed, {fields} FROM {RAW}"
    )
    keys = raw_keys(header) + (
        [f"{EXTRA}{i}" for i in range(1, TOLERATED_EXTRA_FIELDS + 1)] if tolerant else []
    )
    pairs = ", ".join(
        f"{quote_str(k)}, {c}" for k, c in zip(keys, _columns(len(header), tolerant), strict=True)
    )
    raw_json = (
        f"SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, CAST(json_object({pairs}) AS VARCHAR) AS "
        f"_raw FROM {RAW}"
    )
    return RawFile(rows_sql, raw_json, set(source.column_names), encoding, "_malformed", SURPLUS_FIELDS)


def _read_jsonl(
    conn: duckdb.DuckDBPyConnection, source: Source, text: _Utf8Text, name: str, encoding: str
) -> RawFile:
    """One text line per row; blank lines are skipped but keep the line numbering."""
    try:
        conn.execute(
            f"""CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT line FROM read_csv({quote_str(text.path)},
                columns = {{'line': 'VARCHAR'}}, header = false, delim = '\\0', quote = '', escape = '',
                comment = '', skip = 0, auto_detect = false, encoding = 'utf-8')"""
        )
    except duckdb.Error:
        raise FileRejected(FileReason.UNREADABLE, f"{name} cannot be read as JSON lines") from None
    paths = ", ".join(quote_str("$." + c) for c in source.column_names)
    fields, flags = [], []
    for i, c in enumerate(source.columns, start=1):
        fields.append(f"f[{i}] AS {quote_ident(c.name)}")
        accepted = ", ".join(quote_str(t) for t in (*JSON_TYPES[c.kind], "NULL"))
        flags.append(f"coalesce(t[{i}] NOT IN ({accepted}), false) AS {quote_ident('_jt_' + c.name)}")
    # A line is parsed once for both the object test and the values: try() makes the extraction NULL for a
    # line that is not JSON at all, and a line that is JSON is an object exactly when its first character
    # after JSON's own whitespace (space, tab, CR, LF) is '{' (a separate json_type(line) parsed every line
    # a second time).
    # json_type costs as much as the extraction itself, so it runs only on lines that may hold a wrong type:
    # with only text columns, a line whose every value is a string or null has no key's closing quote and
    # ':' followed by anything else (a superset test: a string that merely contains '": 5' is checked
    # exactly, never missed). The quote matters: times ("12:05") hold colons on every line.
    all_text = all(JSON_TYPES[c.kind] == ("VARCHAR",) for c in source.columns)
    suspect = "regexp_matches(line, '\"\\s*:\\s*[^\\s\"n]')" if all_text else "TRUE"
    rows_sql = f"""
        SELECT _row_number, _malformed, {", ".join(fields + flags)}
        FROM (
            SELECT _row_number, _malformed,
                   CASE WHEN NOT _malformed THEN f END AS f,
                   CASE WHEN NOT _malformed AND {suspect} THEN json_type(line, [{paths}]) END AS t
            FROM (
                SELECT _row_number, line, f, {JSON_NOT_OBJECT.format(parsed="f", line="line")} AS _malformed
                FROM (
                    SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, line,
                           try(json_extract_string(line, [{paths}])) AS f
                    FROM {RAW} WHERE ltrim(coalesce(line, '')) <> ''
                )
            )
        )
    """
    raw_json = f"SELECT CAST(rowid + 1 AS INTEGER) AS _row_number, line AS _raw FROM {RAW}"
    return RawFile(
        rows_sql,
        raw_json,
        set(source.column_names),
        encoding,
        "_malformed",
        Reason.MALFORMED_JSON,
        wrong_type_flags={c: quote_ident("_jt_" + c) for c in source.column_names},
    )
