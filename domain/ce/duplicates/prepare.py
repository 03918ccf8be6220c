"""Standardise ``staging.ce_accounts`` rows into the columns the model compares (DuckDB SQL, set-based).

The raw columns stay for the evidence text; the ``*_std`` columns are what blocking and comparisons use:
names lower-cased without accents, spaces or punctuation (a middle initial typed into the first-name field,
``Mary J.``, is dropped; a generation suffix, ``Smith Jr``, moves to ``generation``); the surname's parts
(``garcia-lopez`` → ``[garcia, lopez]``, for hyphenated married names); phonetic codes of both names (NYSIIS,
from ``jellyfish``: typo-tolerant blocking); the phone's last ten digits (any US format); the e-mail local
part without dots or a ``+tag`` (``Jane.Doe+ce@gmail.com`` → ``janedoe``); license numbers upper-case
alphanumerics; street words abbreviated the USPS way, the house number; the 5-digit ZIP; the birth year.
The names also get guard columns (``profile_macros.sql``): which letters each name holds and its length, and
hashes of the nickname forms and surname parts, so the name comparison skips most similarity calls
(``comparisons.py``).
"""

from __future__ import annotations

import jellyfish
import pyarrow as pa

from domain.ce.duplicates.classification import define_email_domain
from domain.ce.duplicates.nicknames import nickname_pairs
from domain.sql_files import load

#: The prepared table (``prepared_accounts.sql``): blocking, comparisons and classification read it by this
#: name.
PREPARED_TABLE = "dup_accounts"

#: Columns of staging.ce_accounts the detection reads.
INPUT_COLUMNS = (
    "account_id",
    "email",
    "first_name",
    "last_name",
    "mobile_phone",
    "birth_date",
    "license_state",
    "license_number",
    "npi",
    "street",
    "postal_code",
    "login_method",
    "person_id",
    "created_at",
)


def _strings(**columns: list) -> pa.Table:
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def _store_phonetic_codes(conn) -> None:
    """``dup_phonetic(name, code)``: NYSIIS of every distinct standardised name (few, so Python is cheap)."""
    names = [n for (n,) in conn.execute(load(__package__, "standardised_names")).fetchall()]
    conn.register("dup_phonetic", _strings(name=names, code=[jellyfish.nysiis(n) or None for n in names]))


def prepare_accounts(conn, accounts) -> str:
    """Load ``accounts`` (pandas/arrow frame of staging.ce_accounts rows) into ``conn`` standardised
    (``standardised_accounts.sql``, then ``prepared_accounts.sql``).

    Returns the name of the prepared table, :data:`PREPARED_TABLE`. Raises ``ValueError`` naming the missing
    columns.
    """
    names = (
        accounts.column_names if hasattr(accounts, "column_names") else list(accounts.columns)
    )  # arrow | pandas
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise ValueError(f"staging.ce_accounts: missing column(s) {', '.join(missing)}")
    pairs = list(nickname_pairs())
    nicknames = _strings(nickname=[n for n, _ in pairs], formal_name=[f for _, f in pairs])
    conn.register("dup_nicknames", nicknames)
    define_email_domain(conn)
    conn.register("dup_raw_accounts", accounts)
    try:
        conn.execute(load(__package__, "standardised_accounts"))
    finally:
        conn.unregister("dup_raw_accounts")
    _store_phonetic_codes(conn)
    conn.execute(load(__package__, "profile_macros"))
    conn.execute(load(__package__, "prepared_accounts"))
    conn.execute("DROP TABLE dup_std")
    return PREPARED_TABLE
