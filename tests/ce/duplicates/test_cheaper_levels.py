"""The cheaper forms of two comparison levels hold for exactly the pairs Splink's own levels hold for.

Hand-built pairs at the edges: one adjacent transposition (Damerau-Levenshtein 1, Levenshtein 2, the guard's
limit), two edits, length changes, accents and a character outside the BMP, empty strings and NULLs.
"""

import duckdb
import pytest
import splink.comparison_level_library as cll
from splink import ColumnExpression
from splink.internals.dialects import SplinkDialect

from domain.ce.duplicates.comparisons import ListsOverlap, WithinOneEdit

DUCKDB = SplinkDialect.from_string("duckdb")


def _holds(level, left, right, column_type="VARCHAR") -> bool:
    """Whether ``level`` holds (its WHEN is taken) for a pair with column ``x`` = left / right."""
    sql = level.create_sql(DUCKDB)
    return duckdb.execute(
        f"SELECT CASE WHEN {sql} THEN true ELSE false END "
        f"FROM (SELECT CAST(? AS {column_type}) AS x_l, CAST(? AS {column_type}) AS x_r)",
        [left, right],
    ).fetchone()[0]


EDITS = [
    ("smith", "smith", True),
    ("smith", "smyth", True),  # substitution
    ("smith", "smiht", True),  # adjacent transposition: Levenshtein 2
    ("ab", "ba", True),
    ("smith", "smithe", True),  # insertion
    ("smith", "mith", True),  # deletion
    ("smith", "msiht", False),  # two transpositions
    ("smith", "smiths", True),
    ("smith", "smythe", False),  # two edits
    ("smith", "jones", False),
    ("zoë", "zoe", True),  # one character, not one byte
    ("ab😀", "a😀b", True),
    ("", "a", True),
    ("", "ab", False),
    (None, "smith", False),
    (None, None, False),
]


@pytest.mark.parametrize(("left", "right", "expected"), EDITS)
def test_within_one_edit_holds_where_damerau_levenshtein_is_at_most_one(left, right, expected):
    assert _holds(WithinOneEdit("x"), left, right) is expected
    assert _holds(cll.DamerauLevenshteinLevel("x", 1), left, right) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("1980-03-12", "1980-03-21", True),  # day digits transposed
        ("1980-03-12", "1908-03-12", True),
        ("1980-03-12", "1980-04-13", False),
        ("1980-03-12", None, False),
    ],
)
def test_within_one_edit_reads_a_birth_date_as_text(left, right, expected):
    level = WithinOneEdit(ColumnExpression("x").cast_to_string())
    assert _holds(level, left, right, "DATE") is expected
    assert _holds(
        cll.DamerauLevenshteinLevel(ColumnExpression("x").cast_to_string(), 1), left, right, "DATE"
    ) is (expected)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (["bob", "robert"], ["robert"], True),
        (["garcia", "lopez"], ["lopez", "perez"], True),
        (["bob"], ["rob"], False),
        ([], ["bob"], False),
        (None, ["bob"], False),
        (["bob"], None, False),
        (None, None, False),
    ],
)
def test_lists_overlap_holds_where_they_share_an_element(left, right, expected):
    assert _holds(ListsOverlap("x"), left, right, "VARCHAR[]") is expected
    assert _holds(cll.ArrayIntersectLevel("x", 1), left, right, "VARCHAR[]") is expected
