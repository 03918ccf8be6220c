"""Planted bad rows, derived from the contracts: which defects a source can carry and how to spell each one.

A bad row is a *copy* of a good row (with a fresh key, so no real entity is lost) in which exactly one column
is broken. Because every other column stays valid, that column is the first failing one in contract order and
an ingester records exactly the planted :class:`Reason`. ``duplicate_key`` rows are exact copies of the row
before.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from domain.contracts import Column, Kind, Reason, Rule, Source

from . import formats

#: Values no reasonable parser takes for the type (avoid "N/A", "null", "12.5": a parser may read those as
#: empty or round them, which would change the reason).
BAD_SPELLINGS: dict[Reason, tuple[str, ...]] = {
    Reason.BAD_INT: ("twelve", "3 days", "x7"),
    Reason.BAD_DECIMAL: ("abc", "1.2.3", "ten dollars"),
    Reason.BAD_DATE: ("2026-02-30", "2025-13-01", "31/31/2024", "yesterday"),
    Reason.BAD_TIMESTAMP: ("2026-02-30T10:00:00-06:00", "2026-03-04 25:61", "soon"),
    Reason.BAD_BOOL: ("maybe", "2", "ja"),
    Reason.BAD_LC_USER_ID: ("02302001 1234", "13012000 5678", "00/15/1999 4321", "02291999 1111"),
    Reason.BAD_PHONE: ("12345", "555-12", "(312) 55-012", "000"),
    Reason.BAD_CODE: ("1234", "12a45", "123456"),
}
WRONG_ENUM_WORDS = ("archived", "TBD", "refunded", "unknownvalue", "other_kind")


@dataclass(frozen=True)
class Defect:
    reason: Reason
    columns: tuple[
        str, ...
    ] = ()  # where it may be planted (one is picked per row); empty for whole-row defects


def defects_for(src: Source) -> list[Defect]:
    """Every defect kind the source's columns allow, one each, in a fixed order (column chosen per kind)."""
    key = set(src.key)

    def candidates(pred: Callable[[Column], bool]) -> tuple[str, ...]:
        cols = [c.name for c in src.columns if pred(c)]
        # Prefer non-key columns so the bad row keeps a fresh, unique key.
        return tuple(c for c in cols if c not in key) or tuple(cols)

    wanted: list[tuple[Reason, Callable[[Column], bool]]] = [
        (Reason.MISSING_REQUIRED, lambda c: c.required),
        (Reason.BAD_INT, lambda c: c.kind is Kind.INT),
        (Reason.BAD_DECIMAL, lambda c: c.kind is Kind.DECIMAL),
        (Reason.BAD_DATE, lambda c: c.kind is Kind.DATE),
        (Reason.BAD_TIMESTAMP, lambda c: c.kind is Kind.TS),
        (Reason.BAD_BOOL, lambda c: c.kind is Kind.BOOL),
        (Reason.BAD_ENUM, lambda c: bool(c.values)),
        (Reason.BAD_LC_USER_ID, lambda c: c.rule is Rule.LC_USER_ID),
        (Reason.BAD_PHONE, lambda c: c.rule is Rule.PHONE),
        (Reason.BAD_NPI, lambda c: c.rule is Rule.NPI),
        (Reason.BAD_CODE, lambda c: c.rule is Rule.CODE5),
        (Reason.NEGATIVE_MONEY, lambda c: c.rule is Rule.MONEY),
        (Reason.OUT_OF_RANGE, lambda c: c.rule in (Rule.RATE, Rule.SCORE)),
        (Reason.TOO_LONG, lambda c: c.kind is Kind.STR and not c.values and c.rule is None),
    ]
    out = [Defect(reason, cols) for reason, pred in wanted if (cols := candidates(pred))]
    out.append(Defect(Reason.DUPLICATE_KEY))
    if src.formats[0] in ("jsonl", "ndjson"):
        out.append(Defect(Reason.MALFORMED_JSON))
    if src.formats[0] == "csv":
        out.append(Defect(Reason.MALFORMED_ROW))
    return out


def bad_value(defect: Defect, col: Column, current: str | None, rng: random.Random) -> str | None:
    reason = defect.reason
    if reason is Reason.MISSING_REQUIRED:
        return None
    if reason in BAD_SPELLINGS:
        return rng.choice(BAD_SPELLINGS[reason])
    if reason is Reason.BAD_ENUM:
        allowed = {v.lower() for v in col.values}
        return next(w for w in WRONG_ENUM_WORDS if w.lower() not in allowed)
    if reason is Reason.BAD_NPI:
        good = formats.npi_from_base(rng.randint(100_000_000, 299_999_999))
        return good[:9] + str((int(good[9]) + rng.randint(1, 9)) % 10)  # any other check digit fails Luhn
    if reason is Reason.NEGATIVE_MONEY:
        return "-" + (
            current.lstrip("-") if current and current.lstrip("-") not in ("0.00", "0") else "125.00"
        )
    if reason is Reason.OUT_OF_RANGE:
        return rng.choice(("1.50", "2.00")) if col.rule is Rule.RATE else rng.choice(("130", "101.50"))
    if reason is Reason.TOO_LONG:
        seed = (current or "lorem ipsum dolor sit amet") + " "
        return (seed * (col.max_len // len(seed) + 2))[: col.max_len + 25]
    raise ValueError(f"no bad spelling for {reason}")


def break_row(
    src: Source, defect: Defect, base: dict[str, str | None], fresh_key: str | None, rng: random.Random
) -> dict[str, str | None]:
    """A copy of ``base`` with ``defect`` planted; ``fresh_key`` replaces the first key column."""
    row = dict(base)
    if defect.reason is Reason.DUPLICATE_KEY:
        return row
    column = rng.choice(defect.columns) if defect.columns else None
    if fresh_key is not None and column != src.key[0]:
        row[src.key[0]] = fresh_key
    if column is None:  # malformed JSON or row: the caller cuts the line short or adds a stray field
        return row
    if defect.reason is Reason.NEGATIVE_MONEY and src.negative_ok_when:
        cond_col, exempt = src.negative_ok_when
        if row.get(cond_col) == exempt:  # a reversal may be negative: make the copy an ordinary line
            row[cond_col] = next(v for v in src.column(cond_col).values if v != exempt)
    row[column] = bad_value(defect, src.column(column), row.get(column), rng)
    return row


def truncated_json(row: dict[str, str | None], rng: random.Random) -> str:
    """A JSON object cut short (as when a writer dies mid-line): a strict prefix never parses."""
    text = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return text[: rng.randint(len(text) // 3, len(text) - 2)]
