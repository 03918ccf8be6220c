"""What two accounts are compared on, as a table of named levels with documented fixed m/u probabilities.

Each field is a Splink ``CustomComparison`` built from Splink's own level library (exact, Jaro-Winkler,
Damerau-Levenshtein, array intersection for nicknames, reversed columns for swapped names). Levels run from
the strongest agreement down to ``different``; ``missing`` is Splink's null level (weight 0). Two of them are
written in a cheaper form that holds for exactly the same pairs (``WithinOneEdit``, ``ListsOverlap``): u
estimation runs every comparison over 2M random pairs, and those functions were most of its time.

The m and u below are the *fixed parameters*: a small dataset (fewer accounts than
``DuplicatePolicy.min_accounts_to_train``) is scored with them as they are; a bigger one starts from them and
replaces them with trained values (u by random sampling, m by expectation maximisation). They were set by
reasoning, not fitted: m = share of true duplicate pairs at the level, u = share of random pairs at it, e.g.
two random accounts share a birth date about once in 10,000 pairs (dates spread over ~40 years), a phone
number or license number almost never (1e-5), a surname about once in 500.
"""

from __future__ import annotations

from dataclasses import dataclass

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


class WithinOneEdit(cll.DamerauLevenshteinLevel):
    """Damerau-Levenshtein distance <= 1, with Damerau-Levenshtein computed only where the Levenshtein
    distance is <= 2.

    One Damerau-Levenshtein edit (insertion, deletion, substitution, adjacent transposition) is at most two
    Levenshtein edits, so the guard never rejects a pair the level holds for: the level holds for exactly the
    same pairs (and is NULL for the same ones). DuckDB's ``damerau_levenshtein`` is several times slower than
    its ``levenshtein``, and u estimation runs each comparison over 2M random pairs, nearly all of which fail
    the guard.
    """

    def __init__(self, col):
        super().__init__(col, 1)

    def create_sql(self, sql_dialect) -> str:
        within_one = super().create_sql(sql_dialect)
        col = self.col_expression
        return f"{sql_dialect.levenshtein_function_name}({col.name_l}, {col.name_r}) <= 2 AND {within_one}"


class ListsOverlap(cll.ArrayIntersectLevel):
    """At least one element in common, as Splink's ``ArrayIntersectLevel(col, 1)``; on DuckDB as
    ``list_has_any``, which does not build the intersection (about half the time).

    The two hold for the same pairs; where Splink's is false because one list is NULL, ``list_has_any`` is
    NULL: the same in a level or under And/Or, not under Not (none of ours is).
    """

    def __init__(self, col):
        super().__init__(col, 1)

    def create_sql(self, sql_dialect) -> str:
        if sql_dialect.sql_dialect_str != "duckdb":
            return super().create_sql(sql_dialect)
        self.col_expression.sql_dialect = sql_dialect
        col = self.col_expression
        return f"list_has_any({col.name_l}, {col.name_r})"


def _dl(col):
    return WithinOneEdit(col)


def _jw(col, threshold: float):
    return cll.JaroWinklerLevel(col, threshold)


# The license part is WithinOneEdit's condition inside a CASE, false where NULL (it sits under NOT): a
# CASE's WHEN skips the Damerau-Levenshtein call where the guard fails, coalesce(...) would not.
_SAME_IDENTIFIER = (
    "CASE WHEN levenshtein(license_number_std_l, license_number_std_r) <= 2 "
    "AND damerau_levenshtein(license_number_std_l, license_number_std_r) <= 1 THEN true ELSE false END "
    "OR coalesce(npi_l = npi_r, false)"
)


def _same_identifier():
    """The license number (up to one typo) or the NPI agrees: identifiers no household member or relative
    shares."""
    return cll.CustomLevel(_SAME_IDENTIFIER, base_dialect_str="duckdb")


_FIRST_AGREES = (
    ListsOverlap("first_name_forms"),
    _dl("first_name_std"),
    _jw("first_name_std", 0.92),
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
            cll.And(cll.ExactMatchLevel("last_name_std"), ListsOverlap("first_name_forms")),
            0.12,
            1e-5,
        ),
        Level(
            "typo",
            cll.And(cll.Or(_dl("last_name_std"), _jw("last_name_std", 0.92)), cll.Or(*_FIRST_AGREES)),
            0.08,
            1e-4,
        ),
        # a married name added to or dropped from a double-barrelled surname: Garcia ~ Garcia-Lopez
        Level(
            "surname_part",
            cll.And(ListsOverlap("last_name_parts"), cll.Or(*_FIRST_AGREES)),
            0.02,
            1e-5,
        ),
        # one of the names is empty on one account and the other agrees
        Level(
            "one_name_missing",
            cll.Or(
                cll.And(
                    cll.NullLevel("first_name_std"),
                    cll.Or(cll.ExactMatchLevel("last_name_std"), _jw("last_name_std", 0.92)),
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
                cll.Or(cll.ExactMatchLevel("last_name_phonetic"), _jw("last_name_std", 0.85)),
                cll.Or(cll.ExactMatchLevel("first_name_phonetic"), _jw("first_name_std", 0.85)),
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

_DECADES_APART = f"abs(year(birth_date_l) - year(birth_date_r)) >= 15 AND NOT ({_SAME_IDENTIFIER})"

BIRTH_DATE = Field(
    "birth_date",
    (
        Level("missing", cll.NullLevel("birth_date")),
        Level("exact", cll.ExactMatchLevel("birth_date"), 0.93, 1e-4),
        Level(
            "day_month_swapped", cll.CustomLevel(_DAY_MONTH_SWAPPED, base_dialect_str="duckdb"), 0.02, 1e-5
        ),
        Level("typo", _dl(ColumnExpression("birth_date").cast_to_string()), 0.045, 2e-3),
        # Father and son (Jr/Sr) share name, address and often the phone: only the birth date tells them
        # apart. Years 15+ apart without being a one-character typo are a veto, as an unrelated first name is,
        # unless the license number or NPI agrees (then it is a data-entry error: "different"). m = 1e-10
        # weighs log2(1e-10 / 0.45) = -32 bits, more than the same name, home phone and address together.
        Level(
            "decades_apart",
            cll.CustomLevel(_DECADES_APART, base_dialect_str="duckdb"),
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
        Level("typo", _dl("mobile_phone"), 0.05, 1e-4),
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
        Level("typo", _dl("license_number_std"), 0.05, 1e-4),
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
