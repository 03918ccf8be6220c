"""Which pairs of accounts are compared at all: the union of a few equality keys (Splink blocking rules).

Each key is cheap (an equi-join) and catches the duplicates that the others miss: the same birth date catches
swapped or misspelt names, the same phone / e-mail local part / license / NPI catch a changed birth date, and the
same surname with a first name that shares a nickname form (exploded array) catches a changed phone *and* e-mail.
The same keys are counted with a plain DuckDB self-join (:func:`count_blocked_pairs_sql`) as the benchmark's
baseline and to report how many comparisons blocking generates.
"""

from __future__ import annotations

from dataclasses import dataclass

from splink import block_on


@dataclass(frozen=True)
class BlockingKey:
    columns: tuple[str, ...]
    explode: str | None = None  # an array column exploded before the join (nickname forms)

    def splink_rule(self):
        return block_on(*self.columns, arrays_to_explode=[self.explode] if self.explode else None)

    @property
    def name(self) -> str:
        return "+".join(self.columns)


BLOCKING_KEYS: tuple[BlockingKey, ...] = (
    BlockingKey(("birth_date",)),
    BlockingKey(("mobile_phone",)),
    BlockingKey(("email_local",)),
    BlockingKey(("license_number_std",)),
    BlockingKey(("npi",)),
    BlockingKey(("last_name_std", "first_name_forms"), explode="first_name_forms"),
)

#: Rules precise enough to count as "certainly the same person" when estimating the prior (lambda).
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.npi = r.npi",
    "l.birth_date = r.birth_date AND l.mobile_phone = r.mobile_phone",
    "l.birth_date = r.birth_date AND l.email_local = r.email_local",
    "l.birth_date = r.birth_date AND l.last_name_std = r.last_name_std AND l.first_name_std = r.first_name_std",
)

#: Expectation-maximisation sessions. Within a session the blocked-on field cannot be estimated, so two
#: sessions on different fields between them train every comparison.
EM_KEYS: tuple[BlockingKey, ...] = (BlockingKey(("birth_date",)), BlockingKey(("mobile_phone",)))


def blocking_rules() -> list:
    return [k.splink_rule() for k in BLOCKING_KEYS]


def _key_pairs_sql(table: str, key: BlockingKey) -> str:
    cols = ", ".join(c for c in key.columns if c != key.explode)
    source = table
    if key.explode:
        source = f"(SELECT account_id, {cols}, unnest({key.explode}) AS {key.explode} FROM {table})"
    on = " AND ".join(f"l.{c} = r.{c}" for c in key.columns)
    return (
        f"SELECT l.account_id AS account_id_l, r.account_id AS account_id_r FROM {source} l "
        f"JOIN {source} r ON {on} AND l.account_id < r.account_id"
    )


def blocked_pairs_sql(table: str) -> str:
    """Distinct (account_id_l, account_id_r) pairs any blocking key generates, in plain DuckDB SQL."""
    return " UNION ".join(_key_pairs_sql(table, k) for k in BLOCKING_KEYS)


def count_blocked_pairs_sql(table: str) -> str:
    return f"SELECT count(*) FROM ({blocked_pairs_sql(table)})"
