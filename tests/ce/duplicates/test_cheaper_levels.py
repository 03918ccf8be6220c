"""The cheaper forms of comparison levels hold for exactly the pairs Splink's own levels hold for.

Hand-built pairs at the edges: one adjacent transposition (Damerau-Levenshtein 1, Levenshtein 2, the guard's
limit), two edits, length changes, accents and a character outside the BMP, empty strings and NULLs; for the
guards on the names' letters and lengths, Jaro-Winkler pairs exactly at the bound and every pair of short
strings over a small alphabet.
"""

import itertools

import duckdb
import pytest
import splink.comparison_level_library as cll
from splink import ColumnExpression
from splink.internals.dialects import SplinkDialect

from domain.ce.duplicates.comparisons import DateTextWithinOneEdit, ListsOverlap, SimilarName, WithinOneEdit
from domain.sql_files import load

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


# The guarded levels read per-account guard columns the prepared table carries (profile_macros.sql).
def _profiled_holds(level, pairs, column_type="VARCHAR") -> list[bool]:
    """Whether ``level`` holds for each (left, right) of ``pairs``, with x's guard columns computed by the
    prepared table's own macros."""
    conn = duckdb.connect()
    conn.execute(load("domain.ce.duplicates", "profile_macros"))
    conn.execute(f"CREATE TABLE pairs (i INTEGER, x_l {column_type}, x_r {column_type})")
    conn.executemany("INSERT INTO pairs VALUES (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)])
    side = "x_{0}, dup_letters(x_{0}) AS x_letters_{0}, length(x_{0}) AS x_length_{0}"
    if column_type.endswith("[]"):
        side = "x_{0}, dup_hashes(x_{0}) AS x_hashes_{0}"
    sql = level.create_sql(DUCKDB)
    return [
        r[0]
        for r in conn.execute(
            f"SELECT CASE WHEN {sql} THEN true ELSE false END "
            f"FROM (SELECT i, {side.format('l')}, {side.format('r')} FROM pairs) ORDER BY i"
        ).fetchall()
    ]


def test_letters_set_one_bit_per_code_point():
    conn = duckdb.connect()
    conn.execute(load("domain.ce.duplicates", "profile_macros"))
    letters = conn.execute(
        "SELECT dup_letters('ab'), dup_letters('abba'), dup_letters('e\u0301'), dup_letters(''), "
        "dup_letters(NULL), dup_letters('a\U0001f600')"
    ).fetchone()
    # a = 97, b = 98: bits 34, 35 (mod 63); e = 101: bit 38; the combining acute U+0301 = 769: bit 13;
    # U+1F600 = 128512: bit 55
    assert letters == (2**34 + 2**35, 2**34 + 2**35, 2**38 + 2**13, 0, None, 2**34 + 2**55)


@pytest.mark.parametrize(("left", "right", "expected"), EDITS)
def test_guarded_within_one_edit_holds_where_damerau_levenshtein_is_at_most_one(left, right, expected):
    assert _profiled_holds(WithinOneEdit("x", guarded=True), [(left, right)]) == [expected]


# Jaro-Winkler at the guard's bound: (a) 'aaaaa'/'aaaab': 4 of 5 match, prefix 4: 0.8667 + 0.4 x 0.1333 =
# 0.92, and the bound is 4 x 10 / 25 = 1.6 = 5 x 0.92 - 3 exactly; (b) 'aaaaacde'/'aaaaafgh': 5 of 8
# match, three letters each side lacks: Jaro 0.75, 0.75 + 0.4 x 0.25 = 0.85, bound 5 x 16 / 64 = 1.25 =
# 5 x 0.85 - 3.
SIMILAR = [
    ("aaaaa", "aaaab", 0.92, True),
    ("aaaaacde", "aaaaafgh", 0.85, True),
    ("aaaaacde", "aaaaafgh", 0.92, False),
    ("martha", "marhta", 0.92, True),  # 0.961, one transposition
    ("dwayne", "duane", 0.85, False),  # 0.84
    ("dixon", "dicksonx", 0.85, False),  # 0.813
    ("abcdefgh", "abcdefgz", 0.92, True),  # 0.95: 7 of 8, bound tight
    ("smith", "jones", 0.85, False),
    ("éaaaa", "éaaab", 0.92, True),  # code points, not bytes
    ("e\u0301aaa", "e\u0301aab", 0.92, True),
    ("\U0001f600abc", "\U0001f600abd", 0.85, True),
    ("", "", 0.85, False),
    ("", "a", 0.85, False),
    (None, "smith", 0.85, False),
]


@pytest.mark.parametrize(("left", "right", "threshold", "expected"), SIMILAR)
def test_similar_name_holds_where_jaro_winkler_reaches_the_threshold(left, right, threshold, expected):
    assert _profiled_holds(SimilarName("x", threshold), [(left, right)]) == [expected]
    assert _holds(cll.JaroWinklerLevel("x", threshold), left, right) is expected


def _all_strings(alphabet: str, longest: int) -> list[str]:
    strings = [""]
    for length in range(1, longest + 1):
        strings += ["".join(p) for p in itertools.product(alphabet, repeat=length)]
    return strings


def test_guards_reject_no_pair_the_levels_hold_for_over_every_short_string():
    """Every pair of strings of up to 3 code points over 'a', 'b', 'é' and a character outside the BMP, and
    some longer ones (8,836 pairs; 1,328 within one edit, 337 at Jaro-Winkler 0.85 or more, 133 at 0.92):
    the guarded levels hold exactly where Splink's do."""
    longer = [
        "abab",
        "baba",
        "aabb",
        "abba",
        "aaaab",
        "aaaaa",
        "ébaé",
        "a\U0001f600ba",
        "\U0001f600\U0001f600ab",
    ]
    strings = _all_strings("ab\u00e9\U0001f600", 3) + longer
    pairs = [(a, b) for a in strings for b in strings]
    levels = [
        (WithinOneEdit("x", guarded=True), cll.DamerauLevenshteinLevel("x", 1)),
        (SimilarName("x", 0.85), cll.JaroWinklerLevel("x", 0.85)),
        (SimilarName("x", 0.92), cll.JaroWinklerLevel("x", 0.92)),
    ]
    for guarded, splinks in levels:
        expected = _profiled_holds(splinks, pairs)
        assert _profiled_holds(guarded, pairs) == expected
        assert 0 < sum(expected) < len(pairs)


def test_similar_name_refuses_a_threshold_its_bound_cannot_express():
    with pytest.raises(ValueError, match="0.7"):
        SimilarName("x", 0.6).create_sql(DUCKDB)
    with pytest.raises(ValueError, match="6 decimals"):
        SimilarName("x", 0.8500001).create_sql(DUCKDB)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (["bob", "robert"], ["robert"], True),
        (["garcia", "lopez"], ["lopez", "perez"], True),
        (["bob"], ["rob"], False),
        (["a", None], [None], False),
        ([], ["bob"], False),
        ([], [], False),
        (None, ["bob"], False),
    ],
)
def test_guarded_lists_overlap_holds_where_they_share_an_element(left, right, expected):
    assert _profiled_holds(ListsOverlap("x", guarded=True), [(left, right)], "VARCHAR[]") == [expected]


BIRTH_DATES = [
    ("1980-03-12", "1980-03-21", True),  # day digits transposed
    ("1980-03-12", "1908-03-12", True),  # year digits transposed
    ("2000-10-01", "2000-01-01", True),  # month digits transposed: only the month differs
    ("1980-03-12", "1980-03-13", True),
    ("1980-03-12", "1980-04-13", False),  # two parts differ
    ("1980-03-12", "1980-12-03", False),
    ("1980-03-12", "1990-03-12", True),
    ("0999-01-01", "0999-01-11", True),  # before year 1000: no guard
    ("0999-01-01", "0999-11-11", False),
    ("infinity", "-infinity", True),  # one inserted '-'
    ("1980-03-12", None, False),
]


@pytest.mark.parametrize(("left", "right", "expected"), BIRTH_DATES)
def test_date_text_within_one_edit_holds_where_the_text_is_one_edit_apart(left, right, expected):
    assert _holds(DateTextWithinOneEdit("x"), left, right, "DATE") is expected
    splinks = cll.DamerauLevenshteinLevel(ColumnExpression("x").cast_to_string(), 1)
    assert _holds(splinks, left, right, "DATE") is expected


def test_date_guard_rejects_no_pair_within_one_edit_over_every_day_of_two_years():
    """Every pair of days of 1999-2000 (534,361 pairs): the guarded level holds exactly where Splink's
    does."""
    conn = duckdb.connect()
    days = "SELECT unnest(range(DATE '1999-01-01', DATE '2001-01-01', INTERVAL 1 DAY))::DATE AS x"
    pairs = f"SELECT l.x AS x_l, r.x AS x_r FROM ({days}) l, ({days}) r"
    guarded = DateTextWithinOneEdit("x").create_sql(DUCKDB)
    splinks = cll.DamerauLevenshteinLevel(ColumnExpression("x").cast_to_string(), 1).create_sql(DUCKDB)
    holds, differing, total = conn.execute(
        f"SELECT count(*) FILTER (WHERE {splinks}), "
        f"count(*) FILTER (WHERE ({guarded}) IS DISTINCT FROM ({splinks})), count(*) FROM ({pairs})"
    ).fetchone()
    assert (differing, total) == (0, 731 * 731)
    assert holds > 731
