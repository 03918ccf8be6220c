-- Per-account summaries that let a comparison level skip an expensive similarity where it cannot hold
-- (comparisons.py, "guards"): sets of 63 bits in a BIGINT (signed: Spark reads the prepared table too), one
-- bit per value mod 63, NULL for NULL.
-- dup_letters(s): the code points of s (bit = code point mod 63), one per code point (string_split on ''
-- splits code points, not grapheme clusters, as length, levenshtein and jaro_winkler_similarity count them).
CREATE OR REPLACE TEMP MACRO dup_letters(s) AS
    list_reduce(list_transform(string_split(s, ''), lambda ch: 1::BIGINT << (unicode(ch) % 63)),
                lambda a, b: a | b, 0::BIGINT);
-- dup_hashes(l): the elements of the list l (bit = hash mod 63).
CREATE OR REPLACE TEMP MACRO dup_hashes(l) AS
    list_reduce(list_transform(l, lambda e: 1::BIGINT << (hash(e) % 63)), lambda a, b: a | b, 0::BIGINT);
-- The guards (comparisons.py gives why they are exact), short to keep the levels' SQL short: Splink parses and
-- normalises every level's condition once per training session.
-- dup_lacking(a, b): how many bits of set a set b lacks.
CREATE OR REPLACE TEMP MACRO dup_lacking(a, b) AS bit_count(a | b) - bit_count(b);
-- dup_one_edit_possible: false where two strings with these letters and lengths are more than one
-- Damerau-Levenshtein edit apart.
CREATE OR REPLACE TEMP MACRO dup_one_edit_possible(letters_l, letters_r, length_l, length_r) AS
    abs(length_l - length_r) <= 1
    AND dup_lacking(letters_l, letters_r) <= 1 AND dup_lacking(letters_r, letters_l) <= 1;
-- dup_jaro_winkler_possible: false where two strings with these letters and lengths have a Jaro-Winkler
-- similarity below the threshold whose (5 threshold - 3) x 10^6 - 1 is scaled_bound.
CREATE OR REPLACE TEMP MACRO dup_jaro_winkler_possible(letters_l, letters_r, length_l, length_r, scaled_bound) AS
    least(length_l - dup_lacking(letters_l, letters_r), length_r - dup_lacking(letters_r, letters_l))
        * (length_l + length_r) * 1000000 >= scaled_bound * length_l * length_r;
