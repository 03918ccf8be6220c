"""Standardise ``staging.ce_accounts`` rows into the columns the model compares (DuckDB SQL, set-based).

The raw columns stay for the evidence text; the ``*_std`` columns are what blocking and comparisons use:
names lower-cased without accents, spaces or punctuation (a middle initial typed into the first-name field,
``Mary J.``, is dropped; a generation suffix, ``Smith Jr``, moves to ``generation``); the surname's parts
(``garcia-lopez`` → ``[garcia, lopez]``, for hyphenated married names); phonetic codes of both names (NYSIIS,
from ``jellyfish``: typo-tolerant blocking); the phone's last ten digits (any US format); the e-mail local
part without dots or a ``+tag`` (``Jane.Doe+ce@gmail.com`` → ``janedoe``); license numbers upper-case
alphanumerics; street words abbreviated the USPS way, the house number; the 5-digit ZIP; the birth year.
"""

from __future__ import annotations

import jellyfish

from domain.ce.duplicates.classification import email_domain_sql
from domain.ce.duplicates.nicknames import nickname_pairs

PREPARED_TABLE = "dup_accounts"
NICKNAME_TABLE = "dup_nicknames"
PHONETIC_TABLE = "dup_phonetic"

#: Generation suffixes: "John Smith Jr" and "John Smith Sr" at one address are two people.
GENERATIONS = ("jr", "sr", "ii", "iii", "iv")

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

#: Street words written out or abbreviated, so "12 Oak Street" = "12 oak st".
STREET_ABBREVIATIONS = (
    ("street", "st"),
    ("avenue", "ave"),
    ("road", "rd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("boulevard", "blvd"),
    ("court", "ct"),
    ("place", "pl"),
    ("terrace", "ter"),
    ("parkway", "pkwy"),
    ("highway", "hwy"),
    ("circle", "cir"),
    ("apartment", "apt"),
    ("suite", "ste"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
)


def _letters(col: str) -> str:
    return f"nullif(regexp_replace(lower(strip_accents(trim({col}))), '[^a-z]', '', 'g'), '')"


def _street(col: str) -> str:
    expr = f"regexp_replace(lower(strip_accents(trim({col}))), '[^a-z0-9 ]', ' ', 'g')"
    for word, abbr in STREET_ABBREVIATIONS:
        expr = f"regexp_replace({expr}, '\\b{word}\\b', '{abbr}', 'g')"
    return f"nullif(trim(regexp_replace({expr}, '\\s+', ' ', 'g')), '')"


def _first_name(col: str) -> str:
    """Letters of the first name without a trailing middle initial ("Mary J." → "mary")."""
    without_initial = f"regexp_replace(trim({col}), '\\s+[[:alpha:]]\\.?$', '')"
    return _letters(without_initial)


_SUFFIX = f"[\\s,]+({'|'.join(GENERATIONS)})\\.?$"


def _surname_without_suffix(col: str) -> str:
    return f"regexp_replace(lower(strip_accents(trim({col}))), '{_SUFFIX}', '')"


def _store_phonetic_codes(conn) -> None:
    """``dup_phonetic(name, code)``: NYSIIS of every distinct standardised name (few, so Python is cheap)."""
    names = conn.execute(
        "SELECT DISTINCT n FROM (SELECT first_name_std AS n FROM dup_std UNION SELECT last_name_std FROM "
        "dup_std) "
        "WHERE n IS NOT NULL ORDER BY n"
    ).fetchall()
    conn.execute(f"CREATE OR REPLACE TABLE {PHONETIC_TABLE} (name VARCHAR, code VARCHAR)")
    if names:
        conn.executemany(
            f"INSERT INTO {PHONETIC_TABLE} VALUES (?, ?)",
            [(n, jellyfish.nysiis(n) or None) for (n,) in names],
        )


def prepare_accounts(conn, accounts) -> str:
    """Load ``accounts`` (pandas/arrow frame of staging.ce_accounts rows) into ``conn`` standardised.

    Returns the name of the prepared table. Raises ``ValueError`` naming the missing columns.
    """
    names = (
        accounts.column_names if hasattr(accounts, "column_names") else list(accounts.columns)
    )  # arrow | pandas
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise ValueError(f"staging.ce_accounts: missing column(s) {', '.join(missing)}")
    conn.execute(f"CREATE OR REPLACE TABLE {NICKNAME_TABLE} (nickname VARCHAR, formal_name VARCHAR)")
    conn.executemany(f"INSERT INTO {NICKNAME_TABLE} VALUES (?, ?)", list(nickname_pairs()))
    conn.register("dup_raw_accounts", accounts)
    try:
        conn.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE dup_std AS
            SELECT
                CAST(account_id AS VARCHAR) AS account_id,
                first_name, last_name, email, login_method, person_id, created_at,
                {_first_name("first_name")} AS first_name_std,
                {_letters(_surname_without_suffix("last_name"))} AS last_name_std,
                list_filter(
                    list_transform(
                        string_split_regex({_surname_without_suffix("last_name")}, '[\\s-]+'),
                        lambda p: regexp_replace(p, '[^a-z]', '', 'g')
                    ),
                    lambda p: length(p) > 1
                ) AS last_name_parts,
                nullif(regexp_extract(lower(trim(last_name)), '{_SUFFIX}', 1), '') AS generation,
                CAST(birth_date AS DATE) AS birth_date,
                year(CAST(birth_date AS DATE)) AS birth_year,
                nullif(right(regexp_replace(mobile_phone, '[^0-9]', '', 'g'), 10), '') AS mobile_phone,
                nullif(regexp_replace(
                    split_part(split_part(lower(trim(email)), '@', 1), '+', 1), '[^a-z0-9]', '', 'g'
                ), '') AS email_local,
                {email_domain_sql("email")} AS email_domain,
                nullif(upper(trim(license_state)), '') AS license_state,
                nullif(regexp_replace(upper(license_number), '[^A-Z0-9]', '', 'g'), '') AS license_number_std,
                nullif(trim(npi), '') AS npi,
                {_street("street")} AS street_std,
                nullif(left(regexp_replace(postal_code, '[^0-9]', '', 'g'), 5), '') AS postal5
            FROM dup_raw_accounts
            """
        )
    finally:
        conn.unregister("dup_raw_accounts")
    _store_phonetic_codes(conn)
    conn.execute(
        f"""
        CREATE OR REPLACE TABLE {PREPARED_TABLE} AS
        WITH forms AS (
            SELECT nickname, list(formal_name ORDER BY formal_name) AS formals
            FROM {NICKNAME_TABLE} GROUP BY nickname
        )
        SELECT
            std.*,
            nullif(regexp_extract(street_std, '^([0-9]+)', 1), '') AS street_number,
            CASE WHEN first_name_std IS NOT NULL THEN
                list_sort(list_distinct(list_prepend(first_name_std, coalesce(forms.formals, []))))
            END AS first_name_forms,
            fp.code AS first_name_phonetic,
            lp.code AS last_name_phonetic,
            left(first_name_std, 1) AS first_initial,
            left(last_name_std, 1) AS last_initial
        FROM dup_std std
        LEFT JOIN forms ON forms.nickname = std.first_name_std
        LEFT JOIN {PHONETIC_TABLE} fp ON fp.name = std.first_name_std
        LEFT JOIN {PHONETIC_TABLE} lp ON lp.name = std.last_name_std
        ORDER BY account_id
        """
    )
    conn.execute("DROP TABLE dup_std")
    return PREPARED_TABLE
