"""Formula-injection guard: a text cell that a spreadsheet would run as a formula is made inert.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` (OWASP "CSV
injection"), so ``=HYPERLINK("x")`` is shown as text. Only text is touched: numbers, dates and ``None`` pass
as they are, so a Decimal stays a number in Excel and CSV.
"""

from __future__ import annotations

from typing import Any

DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return NEUTRALISER + value
    return value
