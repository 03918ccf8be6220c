"""A person's transcript (domain-rules.md, "Transcripts"): the items, and how they are filtered, sorted and
totalled.

Each source of items (Learning Center here; CE credits and uploaded external credits elsewhere) builds one
mart with exactly :data:`ITEM_COLUMNS`; ``marts.transcript_items`` is their union, listed once in
:data:`ITEM_SOURCE_MARTS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from domain.learning.compliance import QUALIFYING_STATUSES
from domain.learning.identity import normalised_lc_user_id
from domain.org_time import local_date

#: The marts (schema ``marts``) whose rows make up ``marts.transcript_items``: Learning Center completions,
#: and CE credits with uploaded external credits (sources ``ce`` and ``external``, built in
#: ``assets.ce.marts``).
ITEM_SOURCE_MARTS: tuple[str, ...] = ("lc_transcript_items", "ce_transcript_items")

#: Exact decimals for credits and hours in every item mart.
AMOUNT_TYPE = "decimal(14,2)"
#: Columns, order and types of every item-source mart and of ``marts.transcript_items``; sources are cast to
#: it before the union (they may differ in decimal widths).
ITEM_SCHEMA = ibis.schema(
    {
        "person_id": "string",
        "source": "string",
        "item_id": "string",
        "title": "string",
        "completed_on": "date",
        "credit_type": "string",
        "credits": AMOUNT_TYPE,
        "hours": AMOUNT_TYPE,
    }
)

ITEM_COLUMNS: tuple[str, ...] = tuple(ITEM_SCHEMA.names)

LEARNING_CENTER = "learning_center"
CE = "ce"
EXTERNAL = "external"
SOURCES: tuple[str, ...] = (LEARNING_CENTER, CE, EXTERNAL)


def learning_center_items(
    people: ir.Table,
    courses: ir.Table,
    completions: ir.Table,
    *,
    org_timezone: str,
    as_of: dt.date | None = None,
) -> ir.Table:
    """Transcript items from Learning Center completions (``completed`` or ``waived``).

    item_id is the completion_id; completed_on is the date of completed_at in the organisation's zone; hours
    are the completion's hours, else the course's contact_hours. Learning Center items carry no credit type or
    credits. A completion reaches its person through the normalised lc_user_id (any accepted form on either
    side). Completions after ``as_of`` are left out, so an earlier as-of gives that date's transcript.
    """
    on = local_date(completions.completed_at, org_timezone)
    c = completions.filter(completions.status.isin(QUALIFYING_STATUSES)).mutate(
        uid=normalised_lc_user_id(completions.lc_user_id), completed_on=on
    )
    if as_of is not None:
        c = c.filter(c.completed_on <= ibis.literal(as_of))
    p = people.select("person_id", person_uid=normalised_lc_user_id(people.lc_user_id))
    k = courses.select(course_course_id="course_id", course_title="title", contact_hours="contact_hours")
    rows = c.inner_join(p, c.uid == p.person_uid).left_join(k, c.course_id == k.course_course_id)
    return rows.select(
        person_id=rows.person_id,
        source=ibis.literal(LEARNING_CENTER),
        item_id=rows.completion_id,
        title=rows.course_title.fill_null(rows.course_id),
        completed_on=rows.completed_on,
        credit_type=ibis.null(str),
        credits=ibis.null(AMOUNT_TYPE),
        hours=rows.hours.fill_null(rows.contact_hours).cast(AMOUNT_TYPE),
    )


def union_items(parts: Iterable[ir.Table]) -> ir.Table:
    """All item-source tables as one, columns in :data:`ITEM_COLUMNS` order."""
    aligned = [t.select(*ITEM_COLUMNS).cast(ITEM_SCHEMA) for t in parts]
    if not aligned:
        raise ValueError("no transcript item sources")
    return ibis.union(*aligned, distinct=False) if len(aligned) > 1 else aligned[0]


def items_in_range(
    items: ir.Table, person_id: str, date_from: dt.date | None, date_to: dt.date | None
) -> ir.Table:
    """One person's items between two dates (inclusive; ``None`` = open end, both ``None`` = Complete
    History)."""
    rows = items.filter(items.person_id == person_id)
    if date_from is not None:
        rows = rows.filter(rows.completed_on >= ibis.literal(date_from))
    if date_to is not None:
        rows = rows.filter(rows.completed_on <= ibis.literal(date_to))
    # Newest first; ties broken so the order never depends on the engine.
    return rows.order_by(
        [ibis.desc("completed_on"), ibis.asc("source"), ibis.asc("item_id"), ibis.asc("credit_type")]
    )


def totals(
    items: Iterable[tuple[str, str, str | None, Decimal | None, Decimal | None]],
) -> tuple[Decimal, dict[str, Decimal]]:
    """(total hours, credits per credit type sorted by type) from (source, item_id, credit_type, credits,
    hours).

    An item with several credit types has one row per type; its hours count once (the largest figure on its
    rows). A missing amount adds nothing; a row without a credit type adds no credits.
    """
    hours_per_item: dict[tuple[str, str], Decimal] = {}
    credits: dict[str, Decimal] = {}
    for source, item_id, credit_type, amount, item_hours in items:
        if item_hours is not None:
            key = (source, item_id)
            hours_per_item[key] = max(hours_per_item.get(key, item_hours), item_hours)
        if credit_type is not None and amount is not None:
            credits[credit_type] = credits.get(credit_type, Decimal("0.00")) + amount
    return sum(hours_per_item.values(), Decimal("0.00")), dict(sorted(credits.items()))
