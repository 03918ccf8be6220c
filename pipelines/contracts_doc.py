"""Render ``docs/data-contracts.md`` from ``domain.contracts`` and the ingest rules, so the doc is what is
built.

``python -m pipelines.contracts_doc`` rewrites the file; a test fails when the committed doc is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assets.ingestion import rules
from assets.ingestion.standard.mapping_doc import render_section as standard_formats_section
from checks.expectations import suite_for
from checks.ingest_tables import LEDGER, QUARANTINE
from domain import marts
from domain.contracts import MAX_LONG_TEXT, MAX_TEXT, SOURCES, Column, FileReason, Kind, Reason, Rule, Source

SECTIONS_DIR = Path(__file__).resolve().parents[1] / "docs" / "data-contracts"
DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "data-contracts.md"

TYPE_RULES = {
    Kind.STR: f"text, kept verbatim; longer than its limit (default {MAX_TEXT}) → `too_long`",
    Kind.INT: f"whole number matching `{rules.INT_RE}` that fits a 32-bit INTEGER → else `bad_int`",
    Kind.DECIMAL: f"decimal matching `{rules.DECIMAL_RE}` (no currency sign, no thousands separator) → else "
    "`bad_decimal`",
    Kind.DATE: "`YYYY-MM-DD` and a real calendar date → else `bad_date`",
    Kind.TS: "ISO-8601 with an offset (`Z` or `±hh:mm`), e.g. `2026-03-04T13:05:00-06:00`; stored as the UTC "
    "instant "
    "(naive TIMESTAMP) → else `bad_timestamp`",
    Kind.BOOL: f"one of {', '.join(f'`{w}`' for w in rules.TRUE_WORDS + rules.FALSE_WORDS)} (any case) → "
    "else `bad_bool`",
}

RULES = {
    Rule.LC_USER_ID: "`mmddyyyy ssss`, `mmddyyyyssss` or `mm/dd/yyyy ssss` with a real birth date; stored as "
    "`mmddyyyyssss` → else `bad_lc_user_id`",
    Rule.PHONE: "any US format (digits, spaces, `()`, `.`, `-`, `+`; 10 digits or 11 starting with 1; NANP "
    "area and "
    "exchange codes start with 2-9); stored as E.164 `+1XXXXXXXXXX` → else `bad_phone`",
    Rule.NPI: "10 digits, Luhn-valid with the `80840` prefix → else `bad_npi`",
    Rule.CODE5: "exactly five digits → else `bad_code`",
    Rule.MONEY: "never negative → else `negative_money` (a claim line with `claim_type = reversal` may be "
    "negative)",
    Rule.RATE: "between 0 and 1 → else `out_of_range`",
    Rule.SCORE: "between 0 and 100 → else `out_of_range`",
}

#: reason -> (meaning, an example of a row that gets it)
REASONS = {
    Reason.MISSING_REQUIRED: (
        "a required value is empty (blank or only spaces)",
        "`E1,,G-1` in hp_employers (no name)",
    ),
    Reason.BAD_INT: ("not a whole number (or too large)", "`due_days_after_hire` = `ten`"),
    Reason.BAD_DECIMAL: (
        "not a plain decimal number (or too large for the column)",
        "`contact_hours` = `1.5.0`",
    ),
    Reason.BAD_DATE: ("not `YYYY-MM-DD` or not a real date", "`birth_date` = `1990-02-30`"),
    Reason.BAD_TIMESTAMP: ("not ISO-8601 with an offset", "`completed_at` = `2026-03-04 10:00` (no offset)"),
    Reason.BAD_BOOL: ("not one of the accepted true/false words", "`active` = `maybe`"),
    Reason.BAD_ENUM: ("not one of the column's allowed values (exact, case-sensitive)", "`channel` = `SMS`"),
    Reason.BAD_LC_USER_ID: (
        "not a Learning Center User ID with a real birth date",
        "`02302001 1234` (30 February)",
    ),
    Reason.BAD_PHONE: ("not a US phone number", "`mobile_phone` = `555-12`"),
    Reason.BAD_NPI: ("not a Luhn-valid 10-digit NPI", "`npi` = `1234567890`"),
    Reason.BAD_CODE: ("not a 5-digit attendance code", "`attendance_code` = `12a45`"),
    Reason.NEGATIVE_MONEY: (
        "a negative amount where money may not be negative",
        "`billed_amount` = `-5.00` on an `original` claim line",
    ),
    Reason.OUT_OF_RANGE: ("a rate outside 0..1 or a score outside 0..100", "`coins_in` = `1.5`"),
    Reason.TOO_LONG: (
        f"text longer than the column allows ({MAX_TEXT}; SMS bodies {MAX_LONG_TEXT})",
        "a course title of 501 characters",
    ),
    Reason.DUPLICATE_KEY: (
        "the key appeared earlier in the same file: the later row is quarantined",
        "course `C3` on rows 1 and 2 of one file: row 2",
    ),
    Reason.MALFORMED_JSON: (
        "a JSON line that is not an object (truncated, an array, a bare string or number)",
        '`{"event_id": "A2", "port` or `[1, 2]`',
    ),
    Reason.MALFORMED_ROW: (
        "a CSV row with more fields than its header (an unquoted comma shifts every value after it)",
        "`E1,Acme, Inc,G-1` under `employer_id,name,group_number`",
    ),
    Reason.WRONG_JSON_TYPE: (
        "a JSON value of another type than its column's: an object, array, number or boolean where text is "
        "expected, or text where a number or boolean is (JSON `null` reads as empty)",
        '`"username": {"name": "x"}`, `"ip": 10`',
    ),
}

#: reason -> (meaning, an example of a file that gets it)
FILE_REASONS = {
    FileReason.EMPTY_FILE: (
        "the file has no bytes (or only blank lines / a byte-order mark), or an xlsx whose first sheet is "
        "empty",
        "a 0-byte `roster.csv`",
    ),
    FileReason.UNREADABLE: (
        "the file cannot be parsed: a corrupt xlsx, a CSV whose quoting or field count the reader cannot "
        "follow, "
        "no line break in the first MiB (no header row)",
        "`PK\\x03\\x04…` cut short under an `.xlsx` name; a CSV renamed `.xlsx`",
    ),
    FileReason.MISSING_COLUMNS: (
        "the header lacks contract columns; a wrong delimiter or a file without a header row shows up this "
        "way "
        "(the detail counts the header's cells, it never quotes them: they may be a data row)",
        "`employer_id;name;group_number` (semicolons)",
    ),
    FileReason.UNSUPPORTED_FORMAT: (
        "the extension is not one the source accepts",
        "`roster.txt` in hp_employers",
    ),
    FileReason.NOT_TEXT: (
        "a `.csv` or `.jsonl` holding NUL bytes: binary content, or UTF-16 without a byte-order mark",
        "a gzip file named `members.csv`",
    ),
    FileReason.BAD_ENCODING: (
        "a byte-order mark (UTF-16/UTF-32) the bytes after it do not honour",
        "`FF FE` followed by a lone surrogate",
    ),
    FileReason.DUPLICATE_COLUMNS: (
        "the header names a contract column twice: which one holds the data is ambiguous",
        "`employer_id,name,group_number,name`",
    ),
    FileReason.SYMLINK: (
        "a symlink (to a file or a folder): never followed, wherever it points; sha256 is empty (never read)",
        "`landing/hp_employers/x.csv -> /etc/passwd`",
    ),
    FileReason.NOT_A_REGULAR_FILE: (
        "a FIFO, socket or device node: never opened (reading it could block or never end)",
        "a named pipe made with `mkfifo`",
    ),
    FileReason.READER_ERROR: (
        "anything else that failed while reading or loading the file; the detail names only the error's type "
        "(an engine message may quote the file), the run goes on",
        "`x.csv could not be read (OutOfMemoryException)`",
    ),
}


def _column_row(col: Column) -> str:
    rule = []
    if col.values:
        rule.append("one of " + ", ".join(f"`{v}`" for v in col.values))
    if col.rule:
        rule.append(RULES[col.rule])
    if col.kind is Kind.STR and col.max_len != MAX_TEXT:
        rule.append(f"up to {col.max_len} characters")
    required = "yes" if col.required else "may be empty"
    return f"| `{col.name}` | {col.kind} | `{col.duckdb_type}` | {required} | {'; '.join(rule)} |"


def _source_section(s: Source) -> list[str]:
    lines = [
        f"### `{s.name}` ({s.family})",
        "",
        f"{s.description}. Formats: {', '.join(f'`.{f}`' for f in s.formats)}. Key: `({', '.join(s.key)})`: "
        "a later "
        "file's row replaces the earlier one with the same key.",
        "",
        "| column | type | staging type | required | rule |",
        "| --- | --- | --- | --- | --- |",
        *[_column_row(c) for c in s.columns],
        "",
    ]
    if s.negative_ok_when:
        lines += [f"Negative money is allowed when `{s.negative_ok_when[0]} = {s.negative_ok_when[1]}`.", ""]
    if s.references:
        refs = "; ".join(f"`{c}` → `{src}.{rc}`" for c, src, rc in s.references)
        lines += [f"References (checked, warning only): {refs}.", ""]
    lines += [f"Expectations: {'; '.join(e.label() for e in suite_for(s))}.", ""]
    return lines


FAMILY_TITLES = {
    "ingest": "Ingest state",
    "learning": "Learning Center",
    "ce": "CE (CloudCME)",
    "health_plan": "Health plans",
    "login_security": "Login security",
    "people": "One person across the portals",
}


def _signature(name: str) -> str:
    """``marts.<name>(column, ...)`` from the registry."""
    entry = marts.get(name)
    return f"{entry.table}({', '.join(entry.column_names)})"


def marts_section() -> list[str]:
    """``## Marts``: every table of the published snapshot, family by family, from ``domain.marts``."""
    lines = [
        "## Marts (the published snapshot)",
        "",
        "Every table of schema `marts`, as the published snapshot holds it (the marts are built in "
        "`mart_store.duckdb` beside the warehouse, and each snapshot is a file copy of it: "
        'docs/architecture.md, "The marts in their own file"): the registry in '
        "`domain/marts/` (one entry per mart: name, description, columns and DuckDB types) is what the "
        "assets write, what Dagster shows and what a test compares each published table with.",
        "",
    ]
    for family, title in FAMILY_TITLES.items():
        lines += [f"### {title}", ""]
        for m in (m for m in marts.MARTS.values() if m.family == family):
            columns = ", ".join(
                f"`{c.name}` {c.type}" + (f" ({c.description})" if c.description else "") for c in m.columns
            )
            lines += [f"- `{m.table}`: {m.description}", f"  Columns: {columns}.", ""]
    return lines


def render() -> str:
    lines = [
        "# Data contracts (as built)",
        "",
        "<!-- Generated by `python -m pipelines.contracts_doc` from domain/contracts.py; do not edit by "
        "hand. -->",
        "",
        "Files land under `<data dir>/landing/<source>/`. A file is identified by its content (sha256): the "
        "same "
        "bytes under another name are recorded as `duplicate` and not read again. Every row of a loaded file "
        "ends "
        "in `staging.<source>` or in the quarantine, and the pipeline checks that per file (blocking).",
        "",
        "## How a file is read",
        "",
        '- CSV: comma-delimited, `"` quoting, header row with the exact column names (extra columns are '
        "ignored "
        "and kept in the quarantined raw row). A header-only file loads 0 rows. Header cells are data, never "
        "SQL: "
        "any cell (`rowid`, `*`, quotes, empty, repeated, 1,000 characters, unicode) either is a contract "
        "column or "
        "is kept as a key of the quarantined row's raw JSON (an empty one as `column<n>`, a repeated one "
        "with "
        "`_1`, `_2`…); a contract column named twice rejects the file.",
        "- Encodings: a byte-order mark decides (UTF-8, UTF-16, UTF-32); otherwise valid UTF-8, then cp1252 "
        "(when "
        "the file has bytes 0x80-0x9F that cp1252 defines), then latin-1. The ledger's `encoding` says which "
        "(`latin-1` also when cp1252 would read the same). Line endings LF, CRLF and bare CR are all read.",
        "- xlsx: the first sheet; whole numbers without `.0`, dates as ISO text.",
        "- JSON lines (`.jsonl`, `.ndjson`): one object per line; blank lines are skipped; keys absent from "
        "a line "
        "read as empty; a value must have its column's JSON type (text for str/date/ts, a number for "
        "int/decimal, "
        "a boolean for bool; `null` = empty), else `wrong_json_type`.",
        "- Values are trimmed before checking; text columns are stored verbatim (formulas and SQL-looking "
        "text are "
        "data, never evaluated).",
        "- What is read: regular files under `landing/<source>/` and its subfolders, by their literal names "
        "(`*`, "
        "`?`, `[ ]`, `{ }`, quotes, spaces and unicode in a name mean nothing). Symlinks are never followed "
        "(all "
        "of them, also ones pointing inside `landing/`) and FIFOs, sockets and devices never opened: each is "
        "recorded as rejected. Names starting with `.` or `~$` and ending `.tmp`, `.part`, `.crdownload` are "
        "skipped (hidden, lock or unfinished files).",
        "- A rejected file's `detail` names the file, its columns and line numbers, never a value from it; "
        "the "
        "original of a quarantined row is kept only in `quarantine.raw` (shown to admins only).",
        "- Row numbers are 1-based data rows (CSV/xlsx: header excluded; JSON lines: the line number).",
        "",
        "## Type rules",
        "",
        *[f"- `{k}`: {v}" for k, v in TYPE_RULES.items()],
        "",
        "A row is checked column by column in contract order and quarantined with the **first** failing "
        "column's "
        "reason. Among rows that pass, a key repeated within one file quarantines the later row as "
        "`duplicate_key`.",
        "",
        "## Row reasons (`marts.quarantine.reason`)",
        "",
        "| reason | meaning | example |",
        "| --- | --- | --- |",
        *[f"| `{r}` | {REASONS[r][0]} | {REASONS[r][1]} |" for r in Reason],
        "",
        "## File reasons (`marts.ingest_ledger.reason` when `status = 'rejected'`)",
        "",
        "| reason | meaning | example |",
        "| --- | --- | --- |",
        *[f"| `{r}` | {FILE_REASONS[r][0]} | {FILE_REASONS[r][1]} |" for r in FileReason],
        "",
        "Nothing of a rejected file is loaded. Ledger statuses: `loaded`, `rejected`, `duplicate` (reason "
        "`same_content`).",
        "",
        "## Ingest tables",
        "",
        f"- `{LEDGER}` → published as `{_signature('ingest_ledger')}`.",
        f"- `{QUARANTINE}` → published as `{_signature('quarantine')}`; `raw` is the original row as JSON "
        "text (JSON lines: the line as landed).",
        "- `staging.<source>`: the contract columns typed as below, plus `_file_name` and `_row_number`.",
        "",
        "## Sources",
        "",
    ]
    for s in SOURCES:
        lines += _source_section(s)
    lines += ["", *standard_formats_section()]
    lines += ["", *marts_section()]
    # Hand-written sections (formats the project writes out, mappings of standard feeds) follow, in name
    # order.
    for part in sorted(SECTIONS_DIR.glob("*.md")):
        lines += ["", part.read_text(encoding="utf-8").strip()]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"written {DOC_PATH}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
