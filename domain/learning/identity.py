"""The Learning Center user id: birth date + last four SSN digits, so it is sensitive.

Three forms arrive (``mmddyyyy ssss``, ``mmddyyyyssss``, ``mm/dd/yyyy ssss``); every one is stored in the
normalised form ``mmddyyyyssss`` so completions join people whatever form each file used. The id is never
shown or logged whole:
:func:`mask_lc_user_id` keeps the last four digits at most, and error messages never repeat the value.
"""

from __future__ import annotations

import datetime as dt
import re

import ibis
import ibis.expr.types as ir

#: The accepted forms, each as (description, pattern with groups month, day, year, last four).
LC_USER_ID_FORMS: tuple[tuple[str, str], ...] = (
    ("mmddyyyy ssss", r"^(\d{2})(\d{2})(\d{4}) (\d{4})$"),
    ("mmddyyyyssss", r"^(\d{2})(\d{2})(\d{4})(\d{4})$"),
    ("mm/dd/yyyy ssss", r"^(\d{2})/(\d{2})/(\d{4}) (\d{4})$"),
)
_COMPILED = tuple(re.compile(p) for _, p in LC_USER_ID_FORMS)

MASK = "••••••••"
#: What an id that cannot be read shows: nothing of it.
FULLY_MASKED = "••••••••••••"


class InvalidLcUserId(ValueError):
    """An lc_user_id in none of the accepted forms, or with a birth date that is not a real date.

    The message names what is wrong but never the value itself (it is birth date + SSN digits)."""


def normalise_lc_user_id(raw: str) -> str:
    """Return ``mmddyyyyssss`` for any accepted form; raise :class:`InvalidLcUserId` otherwise."""
    text = (raw or "").strip()
    for match in (p.match(text) for p in _COMPILED):
        if match is None:
            continue
        month, day, year, last_four = match.groups()
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise InvalidLcUserId("lc_user_id: the birth date part is not a real date") from None
        return f"{month}{day}{year}{last_four}"
    forms = ", ".join(f for f, _ in LC_USER_ID_FORMS)
    raise InvalidLcUserId(f"lc_user_id: not in an accepted form ({forms})")


def try_normalise_lc_user_id(raw: str | None) -> str | None:
    """Like :func:`normalise_lc_user_id` but ``None`` for an unreadable id (for callers that quarantine)."""
    try:
        return normalise_lc_user_id(raw or "")
    except InvalidLcUserId:
        return None


def mask_lc_user_id(value: str | None) -> str:
    """``••••••••1234``: the last four digits at most, whatever form ``value`` is in."""
    normalised = try_normalise_lc_user_id(value)
    return MASK + normalised[-4:] if normalised else FULLY_MASKED


def normalised_lc_user_id(column: ir.StringValue) -> ir.StringValue:
    """The same normalisation as a set-based expression (DuckDB or Spark), for joining tables in any form.

    Recognises the shapes only; whether the birth date is a real date is :func:`normalise_lc_user_id`'s job at
    ingest, where a bad id is quarantined. Values in no accepted shape become NULL and so join nothing.
    """
    text = column.strip()
    return ibis.cases(
        *[(text.re_search(pattern), text.re_replace(r"[^0-9]", "")) for _, pattern in LC_USER_ID_FORMS],
        else_=ibis.null(str),
    )


def masked_lc_user_id(column: ir.StringValue) -> ir.StringValue:
    """:func:`mask_lc_user_id` as a set-based expression: ``••••••••`` + the last four digits, for marts."""
    normalised = normalised_lc_user_id(column)
    return ibis.cases((normalised.notnull(), ibis.literal(MASK) + normalised.right(4)), else_=FULLY_MASKED)
