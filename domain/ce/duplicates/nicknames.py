"""The nickname table (``nicknames.csv``: Bob → Robert, Liz → Elizabeth, ...), shipped as data.

A nickname may stand for several formal names (Chris → Christina, Christine, Christopher), so each first name
is expanded to the *set* of its forms and two first names are "nicknames of each other" when their sets
intersect: Bob ~ Robert, and also Bob ~ Rob (both Robert).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

NICKNAMES_FILE = "nicknames.csv"


@cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """(nickname, formal_name) rows, lower case, in file order."""
    text = resources.files(__package__).joinpath(NICKNAMES_FILE).read_text(encoding="utf-8")
    rows = []
    for line_number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        nickname, formal = (row.get("nickname") or "").strip(), (row.get("formal_name") or "").strip()
        if not nickname.isalpha() or not formal.isalpha():
            raise ValueError(
                f"{NICKNAMES_FILE} row {line_number}: nickname and formal_name must be letters only"
            )
        rows.append((nickname.lower(), formal.lower()))
    return tuple(rows)


def name_forms(first_name: str) -> set[str]:
    """The name itself plus every formal name it is a nickname of (pure-Python twin of the SQL in
    prepare.py)."""
    name = first_name.lower()
    return {name} | {formal for nick, formal in nickname_pairs() if nick == name}
