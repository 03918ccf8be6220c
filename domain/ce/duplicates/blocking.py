"""Which pairs of accounts are compared at all: the union of equality keys (Splink blocking rules).

Each key is cheap (an equi-join) and catches duplicates the others miss:

- the same birth date catches misspelt, swapped or changed (marriage) names;
- the same phone / e-mail local part / license / NPI catch a changed birth date;
- the same surname with a first name sharing a nickname form (exploded array) catches a changed phone *and*
  e-mail;
- postcode + house number, and the whole street, catch a typo in the name *and* the birth date together
  (people who moved are caught by the keys above);
- the phonetic codes (NYSIIS) of both names catch a typo in each name together with a changed birth date;
- birth year + both initials catch a typo in the birth date's day or month together with name typos.

A key can only work on columns that hold data: :func:`plan_blocking` drops a key whose column is empty and a
key that would generate more pairs than the budget (a constant or near-constant column, e.g. one placeholder
phone on every account) and says so. The same keys are counted with a plain DuckDB self-join
(:func:`count_blocked_pairs_sql`) as the benchmark's baseline and to report how many comparisons blocking
makes.
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
    BlockingKey(("postal5", "street_number")),
    BlockingKey(("street_std",)),
    BlockingKey(("last_name_phonetic", "first_name_phonetic")),
    BlockingKey(("birth_year", "first_initial", "last_initial")),
)

#: Rules precise enough to count as "certainly the same person" when estimating the prior (lambda), as the
#: columns that must all be equal. Rules over an empty column are left out.
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("npi",),
    ("birth_date", "mobile_phone"),
    ("birth_date", "email_local"),
    ("birth_date", "license_number_std"),
    ("birth_date", "last_name_std", "first_name_std"),
)

#: Expectation-maximisation sessions, in the order they are tried. Within a session the blocked-on fields
#: cannot be estimated, so sessions are run until every compared field was estimated in one (birth date +
#: phone normally; without phones the address session estimates the birth date). A session with no pairs is
#: skipped.
EM_KEYS: tuple[BlockingKey, ...] = (
    BlockingKey(("birth_date",)),
    BlockingKey(("mobile_phone",)),
    BlockingKey(("postal5", "street_number")),
    BlockingKey(("license_number_std",)),
    BlockingKey(("last_name_std", "first_name_std")),
)


def rule_sql(columns: tuple[str, ...]) -> str:
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


def key_pair_count_sql(table: str, key: BlockingKey) -> str:
    """Pairs the key's join generates (before removing pairs another key or another nickname form also
    finds)."""
    source = table
    if key.explode:
        others = ", ".join(c for c in key.columns if c != key.explode)
        source = f"(SELECT account_id, {others}, unnest({key.explode}) AS {key.explode} FROM {table})"
    cols = ", ".join(key.columns)
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in key.columns)
    return (
        f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM "
        f"(SELECT count(*) AS n FROM {source} WHERE {not_null} GROUP BY {cols})"
    )


@dataclass(frozen=True)
class BlockingPlan:
    keys: tuple[BlockingKey, ...]
    skipped: tuple[str, ...]  # one readable line per key left out, with the reason

    def splink_rules(self) -> list:
        return [k.splink_rule() for k in self.keys]


def pair_budget(n_accounts: int, pairs_per_account: float) -> int:
    return int(pairs_per_account * n_accounts)


def plan_blocking(conn, table: str, empty_columns: set[str], budget: int) -> BlockingPlan:
    keys, skipped = [], []
    for key in BLOCKING_KEYS:
        empty = [c for c in key.columns if c in empty_columns]
        if empty:
            skipped.append(f"blocking key {key.name}: column {', '.join(empty)} empty")
            continue
        pairs = conn.execute(key_pair_count_sql(table, key)).fetchall()[0][0]
        if pairs > budget:
            skipped.append(
                f"blocking key {key.name}: {pairs:,} pairs over the budget of {budget:,} (a value shared by "
                "too "
                "many accounts)"
            )
            continue
        keys.append(key)
    return BlockingPlan(tuple(keys), tuple(skipped))


def _key_pairs_sql(table: str, key: BlockingKey) -> str:
    cols = ", ".join(c for c in key.columns if c != key.explode)
    source = table
    if key.explode:
        source = f"(SELECT account_id, {cols}, unnest({key.explode}) AS {key.explode} FROM {table})"
    return (
        f"SELECT l.account_id AS account_id_l, r.account_id AS account_id_r FROM {source} l "
        f"JOIN {source} r ON {rule_sql(key.columns)} AND l.account_id < r.account_id"
    )


def blocked_pairs_sql(table: str, keys: tuple[BlockingKey, ...]) -> str:
    """Distinct (account_id_l, account_id_r) pairs any of ``keys`` generates, in plain DuckDB SQL."""
    if not keys:
        return "SELECT CAST(NULL AS VARCHAR) AS account_id_l, CAST(NULL AS VARCHAR) AS account_id_r LIMIT 0"
    return " UNION ".join(_key_pairs_sql(table, k) for k in keys)


def count_blocked_pairs_sql(table: str, keys: tuple[BlockingKey, ...]) -> str:
    return f"SELECT count(*) FROM ({blocked_pairs_sql(table, keys)})"
