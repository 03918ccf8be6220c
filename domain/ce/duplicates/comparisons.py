"""What two accounts are compared on, as a table of named levels with documented fixed m/u probabilities.

Each field is a Splink ``CustomComparison`` built from Splink's own level library (exact, Jaro-Winkler,
Damerau-Levenshtein, array intersection for nicknames, reversed columns for swapped names). Levels run from
the strongest agreement down to ``different``; ``missing`` is Splink's null level (weight 0). Some are
written in a cheaper form that holds for exactly the same pairs (``WithinOneEdit``, ``ListsOverlap``,
``SimilarName``, ``DateTextWithinOneEdit``, ``SameIdentifier``): on DuckDB a guard from per-account summaries
(``profile_macros.sql``) skips the similarity call where it cannot hold. u estimation runs every comparison
over 2M random pairs, nearly all of which agree on nothing, and those calls were most of its time.

The m and u below are the *fixed parameters*: a small dataset (fewer accounts than
``DuplicatePolicy.min_accounts_to_train``) is scored with them as they are; a bigger one starts from them and
replaces them with trained values (u by random sampling, m by expectation maximisation). They were set by
reasoning, not fitted: m = share of true duplicate pairs at the level, u = share of random pairs at it, e.g.
two random accounts share a birth date about once in 10,000 pairs (dates spread over ~40 years), a phone
number or license number almost never (1e-5), a surname about once in 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression


@dataclass(frozen=True)
class Level:
    key: str  # short name used in the marts' per-field level columns and in the evidence text
    creator: object  # a splink ComparisonLevelCreator
    m: float | None = None  # None for the null level (it carries no weight)
    u: float | None = None
    #: Domain knowledge EM must not overwrite: with m this small EM only drives it towards an underflow.
    fix_m: bool = False


@dataclass(frozen=True)
class Field:
    name: str  # Splink's output column name: gamma_<name>, bf_<name>
    levels: tuple[Level, ...]  # null level first, then strongest → weakest, ``different`` (else) last
    #: Prepared columns the field reads; when none of them holds data the comparison is dropped from the
    #: model.
    columns: tuple[str, ...] = ()

    def comparison(self) -> cl.CustomComparison:
        creators = []
        for level in self.levels:
            creator = level.creator
            options = {"label_for_charts": level.key}
            if level.m is not None:
                options |= {
                    "m_probability": level.m,
                    "u_probability": level.u,
                    "fix_m_probability": level.fix_m,
                }
            creators.append(creator.configure(**options))
        return cl.CustomComparison(creators, output_column_name=self.name, comparison_description=self.name)

    def key_for_gamma(self) -> dict[int, str]:
        """Splink's comparison vector value → level key: null = -1, the others count down to 0
        (``different``)."""
        keys = [lv.key for lv in self.levels if lv.m is not None]
        mapping = {len(keys) - 1 - i: key for i, key in enumerate(keys)}
        return mapping | {-1: self.levels[0].key}


def _else(m: float, u_used: float, fix_m: bool = False) -> Level:
    return Level("different", cll.ElseLevel(), m, round(1 - u_used, 10), fix_m)


def _profile_args(col: str) -> str:
    return f"{col}_letters_l, {col}_letters_r, {col}_length_l, {col}_length_r"


def _within_one_edit_guard(col: str) -> str:
    """True wherever Damerau-Levenshtein(col) <= 1 (``dup_one_edit_possible``, ``profile_macros.sql``): one
    insertion or deletion changes the length by one and adds one code point to the longer side, a
    substitution one to each side, a transposition none; and the letter bits one side has and the other
    lacks are at most the code points it has and the other lacks (distinct bits are distinct code points,
    and a code point the other side held would have set its bit there)."""
    return f"dup_one_edit_possible({_profile_args(col)})"


def _jaro_winkler_guard(col: str, threshold: float) -> str:
    """True wherever jaro_winkler_similarity(col) >= ``threshold`` (> 0.7): an upper bound from the lengths
    and the letters each side lacks (``dup_jaro_winkler_possible``, ``profile_macros.sql``).

    Jaro = (m/la + m/lb + (m - t)/m) / 3 <= (m/la + m/lb + 1) / 3, where the m matching code points are at
    most la minus the code points of the left side the right side lacks (and the same from the right); the
    Winkler boost adds 0.1 per common prefix code point, at most 4, of (1 - Jaro), so the similarity is at
    most 0.4 + 0.6 Jaro. ``>= threshold`` thus needs M (la + lb) >= (5 threshold - 3) la lb, here in whole
    numbers (times 10^6, less 1: a similarity DuckDB computes in floating point a few ulps above the real one
    stays inside the bound).
    """
    scaled = (Decimal(str(threshold)) * 5 - 3) * 10**6
    if scaled != scaled.to_integral_value() or threshold <= 0.7:
        raise ValueError(f"Jaro-Winkler guard: threshold {threshold} must be > 0.7 with at most 6 decimals")
    return f"dup_jaro_winkler_possible({_profile_args(col)}, {int(scaled) - 1})"


def _guarded(guard: str, test: str) -> str:
    """``test`` computed only where ``guard`` holds, false elsewhere. Written as a CASE, not an AND: Splink
    looks for exact-match levels by normalising every level's condition (sqlglot), and a guard's ANDs inside
    a level's ORs would multiply out there (seconds per EM session); a CASE is one term. False where the
    original is NULL (a NULL value): the same in a level or under And/Or, and no guarded level is under Not.
    """
    return f"CASE WHEN {guard} THEN {test} ELSE false END"


class WithinOneEdit(cll.DamerauLevenshteinLevel):
    """Damerau-Levenshtein distance <= 1, with Damerau-Levenshtein computed only where the Levenshtein
    distance is <= 2.

    One Damerau-Levenshtein edit (insertion, deletion, substitution, adjacent transposition) is at most two
    Levenshtein edits, so the guard never rejects a pair the level holds for: the level holds for exactly the
    same pairs (and is NULL for the same ones). DuckDB's ``damerau_levenshtein`` is several times slower than
    its ``levenshtein``, and u estimation runs each comparison over 2M random pairs, nearly all of which fail
    the guard.

    ``guarded``: the prepared table has ``<col>_letters`` and ``<col>_length`` (names, license number,
    phone): a first guard from them, integer arithmetic only, rejects most random pairs (98 % of surnames,
    90 % of license numbers) before any edit distance is computed.
    """

    def __init__(self, col, guarded: bool = False):
        super().__init__(col, 1)
        self.guarded = guarded

    def create_sql(self, sql_dialect) -> str:
        within_one = super().create_sql(sql_dialect)
        col = self.col_expression
        sql = f"{sql_dialect.levenshtein_function_name}({col.name_l}, {col.name_r}) <= 2 AND {within_one}"
        if self.guarded and sql_dialect.sql_dialect_str == "duckdb":
            sql = _guarded(_within_one_edit_guard(col.raw_sql_expression), sql)
        return sql


class DateTextWithinOneEdit(WithinOneEdit):
    """``WithinOneEdit`` of a date's text (a typed-in birth date: 1980-03-12 ~ 1980-03-21), on DuckDB computed
    only where two of year, month and day agree.

    A date of years 1000-9999 reads YYYY-MM-DD: both texts are 10 characters with '-' at the same two
    places, so one edit is a substitution or an adjacent transposition, which changes at most two adjacent
    digits, never a '-': they lie in one of the three parts, and the other two agree. Other dates (BC,
    years past 9999, infinity) skip the guard.
    """

    def __init__(self, col: str):
        super().__init__(ColumnExpression(col).cast_to_string())
        self.date_col = col

    def create_sql(self, sql_dialect) -> str:
        sql = super().create_sql(sql_dialect)
        if sql_dialect.sql_dialect_str != "duckdb":
            return sql
        left, right = f"{self.date_col}_l", f"{self.date_col}_r"
        layout = (
            f"coalesce(year({left}) BETWEEN 1000 AND 9999 AND year({right}) BETWEEN 1000 AND 9999, false)"
        )
        two_agree = " + ".join(
            f"({part}({left}) = {part}({right}))::INTEGER" for part in ("year", "month", "day")
        )
        return _guarded(f"NOT {layout} OR {two_agree} >= 2", sql)


class SimilarName(cll.JaroWinklerLevel):
    """Splink's ``JaroWinklerLevel(col, threshold)``; on DuckDB computed only where a bound from the
    prepared ``<col>_letters`` and ``<col>_length`` allows the threshold (``_jaro_winkler_guard``): the same
    pairs hold, and ~95 % of random pairs skip the similarity."""

    def __init__(self, col: str, threshold: float):
        super().__init__(col, threshold)
        self.col_name, self.threshold = col, threshold

    def create_sql(self, sql_dialect) -> str:
        sql = super().create_sql(sql_dialect)
        if sql_dialect.sql_dialect_str != "duckdb":
            return sql
        return _guarded(_jaro_winkler_guard(self.col_name, self.threshold), sql)


class ListsOverlap(cll.ArrayIntersectLevel):
    """At least one element in common, as Splink's ``ArrayIntersectLevel(col, 1)``; on DuckDB as
    ``list_has_any``, which does not build the intersection (about half the time).

    The two hold for the same pairs; where Splink's is false because one list is NULL, ``list_has_any`` is
    NULL: the same in a level or under And/Or, not under Not (none of ours is).

    ``guarded``: the prepared table has ``<col>_hashes`` (one bit per element's hash): lists sharing an
    element share its bit, so ``list_has_any`` runs only where the bit sets meet.
    """

    def __init__(self, col, guarded: bool = False):
        super().__init__(col, 1)
        self.guarded = guarded

    def create_sql(self, sql_dialect) -> str:
        if sql_dialect.sql_dialect_str != "duckdb":
            return super().create_sql(sql_dialect)
        self.col_expression.sql_dialect = sql_dialect
        col = self.col_expression
        sql = f"list_has_any({col.name_l}, {col.name_r})"
        if self.guarded:
            name = col.raw_sql_expression
            sql = _guarded(f"({name}_hashes_l & {name}_hashes_r) <> 0", sql)
        return sql


def _jw(col, threshold: float):
    return cll.JaroWinklerLevel(col, threshold)


# The two names and their lists carry guard columns in the prepared table (``prepared_accounts.sql``).
def _name_dl(col: str):
    return WithinOneEdit(col, guarded=True)


def _name_jw(col: str, threshold: float):
    return SimilarName(col, threshold)


def _overlap(col: str):
    return ListsOverlap(col, guarded=True)


def _same_identifier_sql(guard: str = "") -> str:
    """The license part is WithinOneEdit's condition inside a CASE, false where NULL (it sits under NOT): a
    CASE's WHEN skips the Damerau-Levenshtein call where the guard fails, coalesce(...) would not."""
    return (
        f"CASE WHEN {guard}levenshtein(license_number_std_l, license_number_std_r) <= 2 "
        "AND damerau_levenshtein(license_number_std_l, license_number_std_r) <= 1 THEN true ELSE false END "
        "OR coalesce(npi_l = npi_r, false)"
    )


class SameIdentifier(cll.CustomLevel):
    """The license number (up to one typo) or the NPI agrees; on DuckDB with the license number's letter
    guard (``_within_one_edit_guard``) first in the CASE's WHEN: the same pairs are true, every other pair
    false, as before."""

    def __init__(self):
        super().__init__(_same_identifier_sql(), base_dialect_str="duckdb")

    def create_sql(self, sql_dialect) -> str:
        if sql_dialect.sql_dialect_str != "duckdb":
            return super().create_sql(sql_dialect)
        return _same_identifier_sql(f"{_within_one_edit_guard('license_number_std')} AND ")


def _same_identifier():
    """The license number (up to one typo) or the NPI agrees: identifiers no household member or relative
    shares."""
    return SameIdentifier()


_FIRST_AGREES = (
    _overlap("first_name_forms"),
    _name_dl("first_name_std"),
    _name_jw("first_name_std", 0.92),
)

NAME = Field(
    "name",
    (
        Level("missing", cll.And(cll.NullLevel("first_name_std"), cll.NullLevel("last_name_std"))),
        Level(
            "exact",
            cll.And(cll.ExactMatchLevel("first_name_std"), cll.ExactMatchLevel("last_name_std")),
            0.70,
            1e-5,
        ),
        Level(
            "swapped",
            cll.ColumnsReversedLevel("first_name_std", "last_name_std", symmetrical=True),
            0.03,
            1e-6,
        ),
        Level(
            "nickname",
            cll.And(cll.ExactMatchLevel("last_name_std"), _overlap("first_name_forms")),
            0.12,
            1e-5,
        ),
        Level(
            "typo",
            cll.And(
                cll.Or(_name_dl("last_name_std"), _name_jw("last_name_std", 0.92)), cll.Or(*_FIRST_AGREES)
            ),
            0.08,
            1e-4,
        ),
        # a married name added to or dropped from a double-barrelled surname: Garcia ~ Garcia-Lopez
        Level(
            "surname_part",
            cll.And(_overlap("last_name_parts"), cll.Or(*_FIRST_AGREES)),
            0.02,
            1e-5,
        ),
        # one of the names is empty on one account and the other agrees
        Level(
            "one_name_missing",
            cll.Or(
                cll.And(
                    cll.NullLevel("first_name_std"),
                    cll.Or(cll.ExactMatchLevel("last_name_std"), _name_jw("last_name_std", 0.92)),
                ),
                cll.And(cll.NullLevel("last_name_std"), cll.Or(*_FIRST_AGREES)),
            ),
            0.02,
            5e-3,
        ),
        # both names mangled beyond one edit but still alike (typed from a form, read by OCR)
        Level(
            "similar",
            cll.And(
                cll.Or(cll.ExactMatchLevel("last_name_phonetic"), _name_jw("last_name_std", 0.85)),
                cll.Or(cll.ExactMatchLevel("first_name_phonetic"), _name_jw("first_name_std", 0.85)),
            ),
            0.02,
            5e-4,
        ),
        # An unrelated first name is next to impossible for the same person (people type their own first name;
        # nicknames, typos, initials and swaps have their own levels), while twins and spouses share surname,
        # address and often the home phone. m = 1e-10 is a veto, log2(1e-10 / 2e-3) = -24 bits, unless an
        # identifier agrees (license number or NPI: a household never shares those; a data-entry error does).
        Level(
            "surname_only",
            cll.And(cll.ExactMatchLevel("last_name_std"), cll.Not(_same_identifier())),
            1e-10,
            2e-3,
            fix_m=True,
        ),
        # a surname changed at marriage
        Level("first_name_only", cll.Or(*_FIRST_AGREES), 0.0099899899, 1e-2),
        # names that do not agree at all, on accounts whose license number or NPI does
        Level("unrelated_same_identifier", _same_identifier(), 1e-5, 1e-7),
        _else(1e-8, 1e-5 + 1e-6 + 1e-5 + 1e-4 + 1e-5 + 5e-3 + 5e-4 + 2e-3 + 1e-2 + 1e-7, fix_m=True),
    ),
    ("first_name_std", "last_name_std"),
)

_DAY_MONTH_SWAPPED = (
    "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = day(birth_date_r) "
    "AND day(birth_date_l) = month(birth_date_r)"
)

_DECADES_APART = "abs(year(birth_date_l) - year(birth_date_r)) >= 15"

BIRTH_DATE = Field(
    "birth_date",
    (
        Level("missing", cll.NullLevel("birth_date")),
        Level("exact", cll.ExactMatchLevel("birth_date"), 0.93, 1e-4),
        Level(
            "day_month_swapped", cll.CustomLevel(_DAY_MONTH_SWAPPED, base_dialect_str="duckdb"), 0.02, 1e-5
        ),
        Level("typo", DateTextWithinOneEdit("birth_date"), 0.045, 2e-3),
        # Father and son (Jr/Sr) share name, address and often the phone: only the birth date tells them
        # apart. Years 15+ apart without being a one-character typo are a veto, as an unrelated first name is,
        # unless the license number or NPI agrees (then it is a data-entry error: "different"). m = 1e-10
        # weighs log2(1e-10 / 0.45) = -32 bits, more than the same name, home phone and address together.
        Level(
            "decades_apart",
            cll.And(cll.CustomLevel(_DECADES_APART, base_dialect_str="duckdb"), cll.Not(_same_identifier())),
            1e-10,
            0.45,
            fix_m=True,
        ),
        # typos and swaps have their own levels: an unrelated birth date is rare for the same person
        _else(0.005 - 1e-10, 1e-4 + 1e-5 + 2e-3 + 0.45),
    ),
    ("birth_date",),
)

PHONE = Field(
    "mobile_phone",
    (
        Level("missing", cll.NullLevel("mobile_phone")),
        Level("exact", cll.ExactMatchLevel("mobile_phone"), 0.60, 1e-5),
        Level("typo", WithinOneEdit("mobile_phone", guarded=True), 0.05, 1e-4),
        _else(0.35, 1e-5 + 1e-4),
    ),
    ("mobile_phone",),
)

EMAIL = Field(
    "email_local",
    (
        Level("missing", cll.NullLevel("email_local")),
        # No "similar" level: local parts embed the name (david.murphy17 ~ david.murphy65), so a fuzzy match
        # repeats the name's evidence and turns namesakes into matches.
        Level("exact", cll.ExactMatchLevel("email_local"), 0.35, 1e-4),
        _else(0.65, 1e-4),
    ),
    ("email_local",),
)

LICENSE = Field(
    "license",
    (
        Level("missing", cll.NullLevel("license_number_std")),
        Level(
            "exact",
            cll.And(cll.ExactMatchLevel("license_state"), cll.ExactMatchLevel("license_number_std")),
            0.85,
            1e-5,
        ),
        Level("number_only", cll.ExactMatchLevel("license_number_std"), 0.03, 1e-5),
        Level("typo", WithinOneEdit("license_number_std", guarded=True), 0.05, 1e-4),
        _else(0.07, 1e-5 + 1e-5 + 1e-4),
    ),
    ("license_number_std",),
)

NPI = Field(
    "npi",
    (
        Level("missing", cll.NullLevel("npi")),
        Level("exact", cll.ExactMatchLevel("npi"), 1 - 1e-10, 1e-5),
        # A clinician has one NPI for life (and a typo breaks its check digit, so ingestion rejects it): two
        # different NPIs are two people, e.g. father and son both in practice. A veto: -33 bits.
        _else(1e-10, 1e-5, fix_m=True),
    ),
    ("npi",),
)

ADDRESS = Field(
    "address",
    (
        Level("missing", cll.And(cll.NullLevel("street_std"), cll.NullLevel("postal5"))),
        Level(
            "exact", cll.And(cll.ExactMatchLevel("street_std"), cll.ExactMatchLevel("postal5")), 0.60, 1e-4
        ),
        Level("similar", cll.And(_jw("street_std", 0.9), cll.ExactMatchLevel("postal5")), 0.10, 2e-4),
        # a typo in the postal code
        Level(
            "street_only",
            cll.And(cll.ExactMatchLevel("street_number"), _jw("street_std", 0.9)),
            0.05,
            1e-4,
        ),
        Level("postal_code_only", cll.ExactMatchLevel("postal5"), 0.10, 1e-2),
        _else(0.15, 1e-4 + 2e-4 + 1e-4 + 1e-2),
    ),
    ("street_std", "postal5"),
)

GENERATION = Field(
    "generation",
    (
        # Most accounts carry no suffix: only a pair where neither does is "missing"
        Level(
            "missing",
            cll.CustomLevel("generation_l IS NULL AND generation_r IS NULL").configure(is_null_level=True),
        ),
        Level("exact", cll.ExactMatchLevel("generation"), 0.8, 0.05),
        Level(
            "one_sided",
            cll.CustomLevel("generation_l IS NULL OR generation_r IS NULL", base_dialect_str="duckdb"),
            0.2 - 1e-6,
            0.8,
        ),
        # Jr and Sr: two people
        _else(1e-6, 0.85, fix_m=True),
    ),
    ("generation",),
)

#: Every field in the order the marts and the evidence text list them.
FIELDS: tuple[Field, ...] = (NAME, BIRTH_DATE, PHONE, EMAIL, LICENSE, NPI, ADDRESS, GENERATION)


def comparisons(fields: tuple[Field, ...] = FIELDS) -> list[cl.CustomComparison]:
    return [f.comparison() for f in fields]
