"""lc_user_id: three accepted forms normalise to mmddyyyyssss; impossible dates are refused; masking shows 4
digits."""

import duckdb
import ibis
import pytest

from domain.learning.identity import (
    InvalidLcUserId,
    mask_lc_user_id,
    masked_lc_user_id,
    normalise_lc_user_id,
    normalised_lc_user_id,
)


@pytest.mark.parametrize("raw", ["03151980 1234", "031519801234", "03/15/1980 1234", "  03/15/1980 1234 "])
def test_every_accepted_form_normalises_to_mmddyyyyssss(raw):
    assert normalise_lc_user_id(raw) == "031519801234"


@pytest.mark.parametrize(
    "raw",
    [
        "02301980 1234",  # 30 February
        "13011980 1234",  # month 13
        "02292023 1234",  # 2023 is not a leap year
        "00101980 1234",  # month 0
    ],
)
def test_an_impossible_birth_date_is_refused_without_echoing_the_id(raw):
    with pytest.raises(InvalidLcUserId, match="not a real date") as err:
        normalise_lc_user_id(raw)
    assert "1234" not in str(err.value)


def test_a_leap_day_birth_date_is_real():
    assert normalise_lc_user_id("02/29/2000 4321") == "022920004321"


@pytest.mark.parametrize("raw", ["", "0315198 1234", "03-15-1980 1234", "03151980-1234", "0315198O1234"])
def test_other_shapes_are_refused(raw):
    with pytest.raises(InvalidLcUserId, match="not in an accepted form"):
        normalise_lc_user_id(raw)


@pytest.mark.parametrize("raw", ["031519801234", "03151980 1234", "03/15/1980 1234"])
def test_masking_shows_only_the_last_four_digits(raw):
    assert mask_lc_user_id(raw) == "••••••••1234"


def test_an_unreadable_id_is_masked_completely():
    assert mask_lc_user_id("not an id") == "••••••••••••"
    assert mask_lc_user_id(None) == "••••••••••••"


def test_the_set_based_normalisation_agrees_with_the_python_one():
    conn = duckdb.connect()
    conn.execute("CREATE TABLE ids(raw VARCHAR)")
    raws = ["03151980 1234", "031519801234", "03/15/1980 1234", "03-15-1980 1234"]
    conn.executemany("INSERT INTO ids VALUES (?)", [[r] for r in raws])
    t = ibis.duckdb.from_connection(conn).table("ids")
    got = t.select("raw", n=normalised_lc_user_id(t.raw), m=masked_lc_user_id(t.raw)).to_pyarrow().to_pylist()
    by_raw = {r["raw"]: (r["n"], r["m"]) for r in got}
    assert by_raw["03151980 1234"] == ("031519801234", "••••••••1234")
    assert by_raw["031519801234"] == ("031519801234", "••••••••1234")
    assert by_raw["03/15/1980 1234"] == ("031519801234", "••••••••1234")
    assert by_raw["03-15-1980 1234"] == (None, "••••••••••••")  # no accepted shape: joins nothing
