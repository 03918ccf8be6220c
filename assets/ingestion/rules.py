"""Validation rules of ``domain.contracts`` compiled to DuckDB SQL: one SELECT types every column of a file.

Every raw value is text. For each contract column this module builds two SQL expressions over the raw text:
the *reason* it fails (NULL when it passes) and its *typed value*. A
row's reason is the first failing column's,
in contract order, so a planted bad row has exactly one known reason. Everything runs set-based inside DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.contracts import Column, Kind, Reason, Rule, Source
from domain.sql_text import quote_ident, quote_str

#: Digits-only patterns (RE2 syntax, matched against the whole trimmed value).
INT_RE = r"[+-]?[0-9]+"
DECIMAL_RE = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: ISO-8601 with a mandatory offset (``Z`` or ``±hh:mm``); a naive timestamp is ambiguous, hence bad.
TS_RE = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T "
    r"][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)"
)
LC_USER_ID_RE = r"[0-9]{8} ?[0-9]{4}|[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{4}"
PHONE_CHARS_RE = r"[0-9 ().+\-]+"
NANP_RE = r"[2-9][0-9]{2}[2-9][0-9]{6}"
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
#: Decimals are parsed wide first so an out-of-range score reads ``out_of_range``, not ``bad_decimal``.
WIDE_DECIMAL = "DECIMAL(18,4)"
RANGES = {Rule.RATE: (0, 1), Rule.SCORE: (0, 100)}


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(quote_str(v) for v in values) + ")"


def _full(expr: str, pattern: str) -> str:
    return f"regexp_full_match({expr}, {quote_str(pattern)})"


def _npi_luhn_ok(n: str) -> str:
    """Luhn over ``80840`` + the ten NPI digits: the prefix contributes 24, odd NPI positions are doubled.

    ``n`` is the value as ``TRY_CAST(v AS BIGINT)`` (:func:`value_cast`). Only read where ``v`` is ten digits:
    then the number is exact and digit ``i`` is ``n // 10^(10-i) % 10``; a doubled digit ``d`` contributes
    ``2d - 9`` from 5 up. Integer arithmetic, never an error on any ``v`` (TRY_CAST; SQL does not
    short-circuit). It gives the verdict of one ``substr`` and cast per digit at a fraction of the cost.
    """
    terms = []
    for i in range(1, 11):
        d = f"({n} // {10 ** (10 - i)} % 10)"
        terms.append(f"(2 * {d} - 9 * ({d} // 5))" if i % 2 == 1 else d)
    return f"((24 + {' + '.join(terms)}) % 10 = 0)"


def trimmed(raw: str) -> str:
    """``NULLIF(trim(raw), '')``, the same value on every input, cheaper on the values that need no trimming.

    ``trim`` decodes every character of its value to find the last one that is not a space separator (the 17
    characters of Unicode category Zs, the only ones it removes). A value whose first byte and last character
    are printable ASCII other than the space has none to remove and is not empty: it is its own trimmed
    value. Strings compare bytewise, so ``raw >= '!' AND raw < chr(127)`` tests the first byte; ``raw[-1]``
    is the last character.
    """
    return (
        f"CASE WHEN {raw} >= '!' AND {raw} < chr(127) AND {raw}[-1] BETWEEN '!' AND '~' THEN {raw} "
        f"ELSE NULLIF(trim({raw}), '') END"
    )


def blank(raw: str) -> str:
    """``NULLIF(trim(raw), '') IS NULL`` on every input: only the first character can settle it.

    A value starting with a printable ASCII byte other than the space is not blank; for any other,
    ``ltrim`` leaves nothing exactly when ``trim`` does (both remove the same characters; ``ltrim`` stops at
    the first character it keeps, ``trim`` reads on to the end).
    """
    return f"CASE WHEN {raw} >= '!' AND {raw} < chr(127) THEN FALSE ELSE NULLIF(ltrim({raw}), '') IS NULL END"


def value_cast(col: Column) -> str | None:
    """The type a column's checks cast its trimmed value to (``TRY_CAST``), if any."""
    if col.rule is Rule.NPI:
        return "BIGINT"
    return {Kind.INT: "INTEGER", Kind.DECIMAL: WIDE_DECIMAL, Kind.DATE: "DATE", Kind.TS: "TIMESTAMPTZ"}.get(
        col.kind
    )


@dataclass(frozen=True)
class Trimmed:
    """SQL of a raw value's :func:`trimmed` value, of its :func:`blank` test and of its :func:`value_cast`
    (``None``: computed in place)."""

    value: str
    blank: str
    cast: str | None = None

    @classmethod
    def of(cls, raw: str) -> Trimmed:
        return cls(trimmed(raw), blank(raw))


@dataclass(frozen=True)
class ColumnSql:
    """The SQL pieces of one contract column over a raw text expression."""

    column: Column
    reason: str  # VARCHAR expression: the Reason value, or NULL when the value passes
    typed: str  # expression of the column's duckdb_type (NULL when empty or bad)


def column_sql(
    source: Source,
    col: Column,
    raw: str,
    raw_of: dict[str, str],
    wrong_type: str | None = None,
    trims: dict[str, Trimmed] | None = None,
) -> ColumnSql:
    """Compile one column. ``raw`` is its raw text expression; ``raw_of`` maps every contract column to its
    own.

    ``wrong_type`` is a boolean expression: the value arrived as another JSON type than the column's (checked
    before anything else: an object's text must not pass as a name). ``trims`` maps every contract column
    to its :class:`Trimmed` when a layer below computes them once (else they are computed in place).
    """
    trims = trims or {name: Trimmed.of(r) for name, r in raw_of.items()}
    v = trims[col.name].value
    cast_type = value_cast(col)
    cast = trims[col.name].cast or (f"TRY_CAST({v} AS {cast_type})" if cast_type else "")
    empty = f"{v} IS NULL"
    checks: list[tuple[str, Reason]] = []  # (condition that means bad, reason), in evaluation order
    typed = v
    if col.kind is Kind.STR:
        if col.rule is None and not col.values:  # free text: kept verbatim, only its blankness is asked
            empty = trims[col.name].blank
        typed = (
            f"CASE WHEN {empty} THEN NULL ELSE {raw} END"  # text is kept verbatim (formulas, SQL, accents)
        )
        checks.append((f"length({raw}) > {col.max_len}", Reason.TOO_LONG))
        if col.rule is Rule.LC_USER_ID:
            digits = f"regexp_replace({v}, '[/ ]', '', 'g')"
            real_date = f"try_strptime(substr({digits}, 1, 8), '%m%d%Y') IS NOT NULL"
            checks.append((f"NOT ({_full(v, LC_USER_ID_RE)} AND {real_date})", Reason.BAD_LC_USER_ID))
            typed = digits
        elif col.rule is Rule.PHONE:
            digits = f"regexp_replace({v}, '[^0-9]', '', 'g')"
            national = (
                f"(CASE WHEN length({digits}) = 11 AND {digits} LIKE '1%' THEN substr({digits}, 2) "
                f"ELSE {digits} END)"
            )
            ok = f"({_full(v, PHONE_CHARS_RE)} AND {_full(national, NANP_RE)})"
            checks.append((f"NOT {ok}", Reason.BAD_PHONE))
            typed = f"'+1' || {national}"
        elif col.rule is Rule.NPI:
            checks.append((f"NOT ({_full(v, '[0-9]{10}')} AND {_npi_luhn_ok(cast)})", Reason.BAD_NPI))
            typed = v
        elif col.rule is Rule.CODE5:
            checks.append((f"NOT {_full(v, '[0-9]{5}')}", Reason.BAD_CODE))
            typed = v
        if col.values:
            checks.append((f"{v} NOT IN {_in_list(col.values)}", Reason.BAD_ENUM))
            typed = v
    elif col.kind is Kind.INT:
        checks.append((f"NOT {_full(v, INT_RE)} OR {cast} IS NULL", Reason.BAD_INT))
        typed = cast
    elif col.kind is Kind.DECIMAL:
        wide = cast
        checks.append((f"NOT {_full(v, DECIMAL_RE)} OR {wide} IS NULL", Reason.BAD_DECIMAL))
        if col.rule is Rule.MONEY:
            negative = f"{wide} < 0"
            if source.negative_ok_when:
                other, allowed = source.negative_ok_when
                negative += f" AND coalesce({trims[other].value}, '') <> {quote_str(allowed)}"
            checks.append((negative, Reason.NEGATIVE_MONEY))
        if col.rule in RANGES:
            low, high = RANGES[col.rule]
            checks.append((f"{wide} < {low} OR {wide} > {high}", Reason.OUT_OF_RANGE))
        # more integer digits than the column's type holds (money beyond 999,999,999,999.99)
        checks.append((f"TRY_CAST({wide} AS {col.duckdb_type}) IS NULL", Reason.BAD_DECIMAL))
        typed = wide
    elif col.kind is Kind.DATE:
        checks.append((f"NOT {_full(v, DATE_RE)} OR {cast} IS NULL", Reason.BAD_DATE))
        typed = cast
    elif col.kind is Kind.TS:
        tstz = cast
        checks.append((f"NOT {_full(v, TS_RE)} OR {tstz} IS NULL", Reason.BAD_TIMESTAMP))
        typed = f"timezone('UTC', {tstz})"  # the UTC instant as a naive TIMESTAMP
    elif col.kind is Kind.BOOL:
        low = f"lower({v})"
        checks.append((f"{low} NOT IN {_in_list(TRUE_WORDS + FALSE_WORDS)}", Reason.BAD_BOOL))
        typed = (
            f"CASE WHEN {low} IN {_in_list(TRUE_WORDS)} THEN TRUE WHEN {low} IN {_in_list(FALSE_WORDS)} "
            "THEN FALSE END"
        )

    whens = [f"WHEN {wrong_type} THEN {quote_str(Reason.WRONG_JSON_TYPE)}"] if wrong_type else []
    whens += [f"WHEN {empty} THEN {quote_str(Reason.MISSING_REQUIRED) if col.required else 'NULL'}"]
    whens += [f"WHEN {cond} THEN {quote_str(reason)}" for cond, reason in checks]
    reason = "CASE " + " ".join(whens) + " END"
    return ColumnSql(col, reason, f"TRY_CAST({typed} AS {col.duckdb_type})")


def validate_select(
    source: Source,
    rows_sql: str,
    present: set[str],
    malformed_flag: str | None = None,
    malformed_reason: Reason = Reason.MALFORMED_JSON,
    wrong_type_flags: dict[str, str] | None = None,
) -> str:
    """SELECT over ``rows_sql`` (``_row_number`` + text columns): typed contract columns, ``_column``,
    ``_reason``.

    ``present`` are the contract columns the file has; an absent one reads as empty (JSON lines may omit
    optional
    keys; a CSV or xlsx lacking a contract column is rejected before this). ``malformed_flag`` names a boolean
    column marking rows that are not a record at all (a JSON line that is not an object): they read
    ``malformed_reason``. ``wrong_type_flags`` maps a column to a boolean column of ``rows_sql`` marking a
    JSON
    value of the wrong type (``wrong_json_type``).
    """
    raw_of = {
        c.name: (quote_ident(c.name) if c.name in present else "CAST(NULL AS VARCHAR)")
        for c in source.columns
    }
    flags = wrong_type_flags or {}
    casts = {c.name: value_cast(c) for c in source.columns if value_cast(c)}
    trims = {
        c: Trimmed(
            quote_ident("_v_" + c), quote_ident("_b_" + c), quote_ident("_n_" + c) if c in casts else None
        )
        for c in source.column_names
    }
    compiled = [
        column_sql(source, c, raw_of[c.name], raw_of, flags.get(c.name), trims) for c in source.columns
    ]
    # Each column's trimmed value and blank test once, in a layer of their own, so that their CASE stays
    # lazy (trim only where needed; repeated, the optimizer would lift a bare trim out of it). A column reads
    # one of the two; DuckDB drops the other.
    layer = ", ".join(
        f"{trimmed(raw_of[c])} AS {t.value}, {blank(raw_of[c])} AS {t.blank}" for c, t in trims.items()
    )
    # The value's cast once per row, in a layer above: a check inside a CASE runs on the rows its earlier
    # WHENs left, where DuckDB computes each occurrence of it anew (the NPI's ten digits cast ten times).
    layer = f"SELECT *, {layer} FROM ({rows_sql})"
    if casts:
        cast_sql = ", ".join(
            f"TRY_CAST({trims[c].value} AS {t}) AS {trims[c].cast}" for c, t in casts.items()
        )
        layer = f"SELECT *, {cast_sql} FROM ({layer})"
    reasons = [f"{cs.reason} AS {quote_ident('_r_' + cs.column.name)}" for cs in compiled]
    typed = [f"{cs.typed} AS {quote_ident(cs.column.name)}" for cs in compiled]
    r_cols = [quote_ident("_r_" + c.name) for c in source.columns]
    first_col = " ".join(
        f"WHEN {r} IS NOT NULL THEN {quote_str(c.name)}" for r, c in zip(r_cols, source.columns, strict=True)
    )
    first_reason = f"coalesce({', '.join(r_cols)})"
    flag = malformed_flag or "FALSE"
    typed_names = ", ".join(quote_ident(c.name) for c in source.columns)
    return f"""
        SELECT {typed_names}, _row_number,
               CASE WHEN _malformed THEN NULL {first_col} END AS _column,
               CASE WHEN _malformed THEN {quote_str(malformed_reason)} ELSE {first_reason} END AS _reason
        FROM (SELECT _row_number, {flag} AS _malformed,
                     {", ".join(typed + reasons)} FROM ({layer}))
    """


def mark_duplicates_sql(source: Source, checked_table: str) -> str:
    """UPDATE ``checked_table``: the later rows of a key repeated within one file read ``duplicate_key`` (only
    among otherwise good rows; the earliest row of the key is kept).

    An update of the few repeated rows instead of a window over every row: the window sorted the whole file by
    key, and the staging insert then sorted it back by row number; the checked table now stays in file order.
    """
    keys = ", ".join(quote_ident(k) for k in source.key)
    same_key = " AND ".join(f"c.{quote_ident(k)} IS NOT DISTINCT FROM d.{quote_ident(k)}" for k in source.key)
    return f"""
        UPDATE {checked_table} AS c
        SET _column = {quote_str(",".join(source.key))}, _reason = {quote_str(Reason.DUPLICATE_KEY)}
        FROM (SELECT {keys}, min(_row_number) AS _first FROM {checked_table} WHERE _reason IS NULL
              GROUP BY {keys} HAVING count(*) > 1) AS d
        WHERE c._reason IS NULL AND {same_key} AND c._row_number > d._first
    """
