"""Reads generated landing files and re-validates them with a small, independent contract-order validator.

Written from landing-contracts.md, not from the generator, so it checks the generator's claims about its own
planted problems: a row is quarantined with the reason of its first failing column in contract order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import phonenumbers

from domain.contracts import Column, Kind, Reason, Rule, Source

BOOLS = {"true", "false", "1", "0", "yes", "no"}
LC_USER_ID = re.compile(r"^(?:(\d{2})(\d{2})(\d{4}) ?|(\d{2})/(\d{2})/(\d{4}) )(\d{4})$")


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else latin-1: what an ingester would try."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_rows(path: Path) -> tuple[list[str], list[dict | str]]:
    """(header, rows). A jsonl line that does not parse comes back as its raw text."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        # read-only mode drops trailing empty cells: pad short rows (an ingester must do the same)
        return header, [
            dict(zip(header, (*r, *[None] * (len(header) - len(r))), strict=True)) for r in rows[1:]
        ]
    text = decode(path.read_bytes())
    if path.suffix == ".jsonl":
        out: list[dict | str] = []
        for line in text.splitlines():
            try:
                obj = json.loads(line)
                out.append(obj if isinstance(obj, dict) else line)
            except json.JSONDecodeError:
                out.append(line)
        header = next((list(o) for o in out if isinstance(o, dict)), [])
        return header, out
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def npi_ok(value: str) -> bool:
    if not (len(value) == 10 and value.isdigit()):
        return False
    digits = [int(c) for c in "80840" + value]
    total = 0
    for i, d in enumerate(reversed(digits)):  # standard Luhn: double every second digit from the right
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 1 else d
    return total % 10 == 0


def _real_date(y: str, m: str, d: str) -> bool:
    try:
        date(int(y), int(m), int(d))
        return True
    except ValueError:
        return False


def column_reason(col: Column, raw, row: dict, src: Source) -> Reason | None:
    value = "" if raw is None else str(raw)
    if value.strip() == "":
        return Reason.MISSING_REQUIRED if col.required else None
    if len(value) > col.max_len:
        return Reason.TOO_LONG
    if col.kind is Kind.INT and not re.fullmatch(r"-?\d+", value):
        return Reason.BAD_INT
    if col.kind is Kind.DECIMAL:
        if not re.fullmatch(r"-?\d+(\.\d+)?", value):
            return Reason.BAD_DECIMAL
        number = float(value)  # only compared with 0/1/100, never summed
        if col.rule is Rule.MONEY and number < 0:
            cond = src.negative_ok_when
            if not (cond and row.get(cond[0]) == cond[1]):
                return Reason.NEGATIVE_MONEY
        if col.rule is Rule.RATE and not 0 <= number <= 1:
            return Reason.OUT_OF_RANGE
        if col.rule is Rule.SCORE and not 0 <= number <= 100:
            return Reason.OUT_OF_RANGE
    if col.kind is Kind.DATE:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if not m or not _real_date(*m.groups()):
            return Reason.BAD_DATE
    if col.kind is Kind.TS:
        try:
            if datetime.fromisoformat(value).tzinfo is None:
                return Reason.BAD_TIMESTAMP
        except ValueError:
            return Reason.BAD_TIMESTAMP
    if col.kind is Kind.BOOL and value.lower() not in BOOLS:
        return Reason.BAD_BOOL
    if col.values and value not in col.values:
        return Reason.BAD_ENUM
    if col.rule is Rule.LC_USER_ID:
        m = LC_USER_ID.fullmatch(value)
        if not m:
            return Reason.BAD_LC_USER_ID
        mm, dd, yyyy = (
            (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        )
        if not _real_date(yyyy, mm, dd):
            return Reason.BAD_LC_USER_ID
    if col.rule is Rule.PHONE:
        try:
            ok = phonenumbers.is_valid_number(phonenumbers.parse(value, "US"))
        except phonenumbers.NumberParseException:
            ok = False
        if not ok:
            return Reason.BAD_PHONE
    if col.rule is Rule.NPI and not npi_ok(value):
        return Reason.BAD_NPI
    if col.rule is Rule.CODE5 and not re.fullmatch(r"\d{5}", value):
        return Reason.BAD_CODE
    return None


def quarantine(src: Source, rows: list[dict | str]) -> Iterator[tuple[int, Reason]]:
    """(1-based row number, reason) of every row this validator quarantines."""
    seen: set[tuple] = set()
    for n, row in enumerate(rows, start=1):
        if isinstance(row, str):
            yield n, Reason.MALFORMED_JSON
            continue
        if None in row:  # csv.DictReader files fields beyond the header under None
            yield n, Reason.MALFORMED_ROW
            continue
        reason = next((r for c in src.columns if (r := column_reason(c, row.get(c.name), row, src))), None)
        if reason is None:
            key = tuple(row.get(k) for k in src.key)
            if key in seen:
                reason = Reason.DUPLICATE_KEY
            seen.add(key)
        if reason is not None:
            yield n, reason


def read_truth(truth_dir: Path, name: str) -> list[dict]:
    with (truth_dir / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
