"""Render ``docs/data-contracts.md`` from ``domain.contracts`` and the ingest rules, so the doc is what is built.

``python -m pipelines.contracts_doc`` rewrites the file; a test fails when the committed doc is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assets.ingestion import rules
from assets.ingestion.standard.mapping_doc import render_section as standard_formats_section
from checks.expectations import suite_for
from checks.ingest_tables import LEDGER, QUARANTINE
from domain.contracts import MAX_LONG_TEXT, MAX_TEXT, SOURCES, Column, FileReason, Kind, Reason, Rule, Source

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "data-contracts.md"

TYPE_RULES = {
    Kind.STR: f"text, kept verbatim; longer than its limit (default {MAX_TEXT}) → `too_long`",
    Kind.INT: f"whole number matching `{rules.INT_RE}` that fits a 32-bit INTEGER → else `bad_int`",
    Kind.DECIMAL: f"decimal matching `{rules.DECIMAL_RE}` (no currency sign, no thousands separator) → else `bad_decimal`",
    Kind.DATE: "`YYYY-MM-DD` and a real calendar date → else `bad_date`",
    Kind.TS: "ISO-8601 with an offset (`Z` or `±hh:mm`), e.g. `2026-03-04T13:05:00-06:00`; stored as the UTC instant "
    "(naive TIMESTAMP) → else `bad_timestamp`",
    Kind.BOOL: f"one of {', '.join(f'`{w}`' for w in rules.TRUE_WORDS + rules.FALSE_WORDS)} (any case) → else `bad_bool`",
}

RULES = {
    Rule.LC_USER_ID: "`mmddyyyy ssss`, `mmddyyyyssss` or `mm/dd/yyyy ssss` with a real birth date; stored as "
    "`mmddyyyyssss` → else `bad_lc_user_id`",
    Rule.PHONE: "any US format (digits, spaces, `()`, `.`, `-`, `+`; 10 digits or 11 starting with 1; NANP area and "
    "exchange codes start with 2-9); stored as E.164 `+1XXXXXXXXXX` → else `bad_phone`",
    Rule.NPI: "10 digits, Luhn-valid with the `80840` prefix → else `bad_npi`",
    Rule.CODE5: "exactly five digits → else `bad_code`",
    Rule.MONEY: "never negative → else `negative_money` (a claim line with `claim_type = reversal` may be negative)",
    Rule.RATE: "between 0 and 1 → else `out_of_range`",
    Rule.SCORE: "between 0 and 100 → else `out_of_range`",
}

REASONS = {
    Reason.MISSING_REQUIRED: "a required value is empty (blank or only spaces)",
    Reason.BAD_INT: "not a whole number (or too large)",
    Reason.BAD_DECIMAL: "not a plain decimal number (or too large for the column)",
    Reason.BAD_DATE: "not `YYYY-MM-DD` or not a real date",
    Reason.BAD_TIMESTAMP: "not ISO-8601 with an offset",
    Reason.BAD_BOOL: "not one of the accepted true/false words",
    Reason.BAD_ENUM: "not one of the column's allowed values (exact, case-sensitive)",
    Reason.BAD_LC_USER_ID: "not a Learning Center User ID with a real birth date",
    Reason.BAD_PHONE: "not a US phone number",
    Reason.BAD_NPI: "not a Luhn-valid 10-digit NPI",
    Reason.BAD_CODE: "not a 5-digit attendance code",
    Reason.NEGATIVE_MONEY: "a negative amount where money may not be negative",
    Reason.OUT_OF_RANGE: "a rate outside 0..1 or a score outside 0..100",
    Reason.TOO_LONG: f"text longer than the column allows ({MAX_TEXT}; SMS bodies {MAX_LONG_TEXT})",
    Reason.DUPLICATE_KEY: "the key appeared earlier in the same file: the later row is quarantined",
    Reason.MALFORMED_JSON: "a JSON line that does not parse to an object (e.g. truncated); also a CSV row with more "
    "fields than its header",
}

FILE_REASONS = {
    FileReason.EMPTY_FILE: "the file has no bytes (or only blank lines / a BOM)",
    FileReason.UNREADABLE: "the file cannot be parsed (corrupt xlsx, broken CSV quoting)",
    FileReason.MISSING_COLUMNS: "the header lacks contract columns; a wrong delimiter shows up this way",
    FileReason.UNSUPPORTED_FORMAT: "the extension is not one the source accepts",
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
        f"{s.description}. Formats: {', '.join(f'`.{f}`' for f in s.formats)}. Key: `({', '.join(s.key)})`: a later "
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


def render() -> str:
    lines = [
        "# Data contracts (as built)",
        "",
        "<!-- Generated by `python -m pipelines.contracts_doc` from domain/contracts.py; do not edit by hand. -->",
        "",
        "Files land under `<data dir>/landing/<source>/`. A file is identified by its content (sha256): the same "
        "bytes under another name are recorded as `duplicate` and not read again. Every row of a loaded file ends "
        "in `staging.<source>` or in the quarantine, and the pipeline checks that per file (blocking).",
        "",
        "## How a file is read",
        "",
        '- CSV: comma-delimited, `"` quoting, header row with the exact column names (extra columns are ignored '
        "and kept in the quarantined raw row). UTF-8 with or without BOM; a file that is not valid UTF-8 is read as "
        "latin-1. A header-only file loads 0 rows.",
        "- xlsx: the first sheet; whole numbers without `.0`, dates as ISO text.",
        "- JSON lines (`.jsonl`, `.ndjson`): one object per line; blank lines are skipped; keys absent from a line "
        "read as empty.",
        "- Values are trimmed before checking; text columns are stored verbatim (formulas and SQL-looking text are "
        "data, never evaluated).",
        "- Row numbers are 1-based data rows (CSV/xlsx: header excluded; JSON lines: the line number).",
        "",
        "## Type rules",
        "",
        *[f"- `{k}`: {v}" for k, v in TYPE_RULES.items()],
        "",
        "A row is checked column by column in contract order and quarantined with the **first** failing column's "
        "reason. Among rows that pass, a key repeated within one file quarantines the later row as "
        "`duplicate_key`.",
        "",
        "## Row reasons (`marts.quarantine.reason`)",
        "",
        "| reason | meaning |",
        "| --- | --- |",
        *[f"| `{r}` | {REASONS.get(r, '')} |" for r in Reason],
        "",
        "## File reasons (`marts.ingest_ledger.reason` when `status = 'rejected'`)",
        "",
        "| reason | meaning |",
        "| --- | --- |",
        *[f"| `{r}` | {FILE_REASONS[r]} |" for r in FileReason],
        "",
        "Nothing of a rejected file is loaded. Ledger statuses: `loaded`, `rejected`, `duplicate` (reason "
        "`same_content`).",
        "",
        "## Ingest tables",
        "",
        f"- `{LEDGER}` → published as `marts.ingest_ledger(source, file_name, sha256, rows_read, rows_loaded, "
        "rows_quarantined, loaded_at, status, reason, detail, encoding, size_bytes)`.",
        f"- `{QUARANTINE}` → published as `marts.quarantine(source, file_name, row_number, column, reason, raw, "
        "sha256, message)`; `raw` is the original row as JSON text (JSON lines: the line as landed).",
        "- `staging.<source>`: the contract columns typed as below, plus `_file_name` and `_row_number`.",
        "",
        "## Sources",
        "",
    ]
    for s in SOURCES:
        lines += _source_section(s)
    lines += ["", *standard_formats_section()]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"written {DOC_PATH}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
