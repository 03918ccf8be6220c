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
phone on every account) and says so. The same keys are counted with a plain self-join written in Ibis
(:func:`count_blocked_pairs`, run on DuckDB) as the benchmark's baseline and to report how many comparisons
blocking makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
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
    """A deterministic rule as the blocking-rule fragment Splink takes (a Splink setting, kept as text)."""
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


def _key_rows(accounts: ibis.Table, key: BlockingKey) -> ibis.Table:
    """The accounts as the key joins them: one row per nickname form when the key explodes one."""
    if not key.explode:
        return accounts
    others = [c for c in key.columns if c != key.explode]
    return accounts.select("account_id", *others, accounts[key.explode].unnest().name(key.explode))


def key_pair_count(accounts: ibis.Table, key: BlockingKey) -> ibis.Scalar:
    """Pairs the key's join generates (before removing pairs another key or another nickname form also
    finds)."""
    rows = _key_rows(accounts, key)
    groups = (
        rows.filter([rows[c].notnull() for c in key.columns])
        .group_by(list(key.columns))
        .aggregate(n=ibis._.count())
    )
    return (groups.n * (groups.n - 1) // 2).sum().coalesce(0)


@dataclass(frozen=True)
class BlockingPlan:
    keys: tuple[BlockingKey, ...]
    skipped: tuple[str, ...]  # one readable line per key left out, with the reason

    def splink_rules(self) -> list:
        return [k.splink_rule() for k in self.keys]


def pair_budget(n_accounts: int, pairs_per_account: float) -> int:
    return int(pairs_per_account * n_accounts)


def plan_blocking(accounts: ibis.Table, empty_columns: set[str], budget: int) -> BlockingPlan:
    """The keys to block on among the prepared ``accounts``, and the keys left out with the reason."""
    keys, skipped = [], []
    for key in BLOCKING_KEYS:
        empty = [c for c in key.columns if c in empty_columns]
        if empty:
            skipped.append(f"blocking key {key.name}: column {', '.join(empty)} empty")
            continue
        pairs = key_pair_count(accounts, key).execute()
        if pairs > budget:
            skipped.append(
                f"blocking key {key.name}: {pairs:,} pairs over the budget of {budget:,} (a value shared by "
                "too "
                "many accounts)"
            )
            continue
        keys.append(key)
    return BlockingPlan(tuple(keys), tuple(skipped))


def _key_pairs(accounts: ibis.Table, key: BlockingKey) -> ibis.Table:
    left, right = _key_rows(accounts, key).view(), _key_rows(accounts, key).view()
    on = [left[c] == right[c] for c in key.columns] + [left.account_id < right.account_id]
    return left.join(right, on).select(account_id_l=left.account_id, account_id_r=right.account_id)


def blocked_pairs(accounts: ibis.Table, keys: tuple[BlockingKey, ...]) -> ibis.Table:
    """Distinct (account_id_l, account_id_r) pairs any of ``keys`` generates among the prepared
    ``accounts``."""
    if not keys:
        return accounts.select(account_id_l=accounts.account_id, account_id_r=accounts.account_id).limit(0)
    return ibis.union(*(_key_pairs(accounts, k) for k in keys), distinct=True)


def count_blocked_pairs(accounts: ibis.Table, keys: tuple[BlockingKey, ...]) -> ibis.Scalar:
    return blocked_pairs(accounts, keys).count()
