"""The one formatting layer: codes as words, money, percentages, empties and times in the organisation's
zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfoNotFoundError, available_timezones

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import formatting as fmt


def test_codes_read_as_words():
    assert fmt.label("partially_paid") == "Partially paid"
    assert fmt.label("outside_window") == "Sent outside the attendance window"
    assert [fmt.label(t) for t in ("FAM", "ESP", "ECH")] == [
        "Family",
        "Employee + spouse",
        "Employee + children",
    ]
    assert fmt.label("some_new_code") == "Some new code"  # an unlisted code still reads as words
    assert fmt.label(None) == "—"


def test_money_is_dollars_and_cents():
    assert fmt.money(Decimal("1234.5")) == "$1,234.50"
    assert fmt.money(Decimal("-12.5")) == "-$12.50"
    assert fmt.money(0) == "$0.00"
    assert fmt.money(None) == "—"


def test_shares_are_percentages():
    assert fmt.percent(0.4402) == "44.0%"
    assert fmt.percent(1) == "100%"  # a match probability of 1
    assert fmt.percent(0) == "0%"
    assert fmt.percent(float("nan")) == "—"


def test_a_moment_is_shown_in_the_organisations_zone_with_the_zone_named():
    # 15:30 UTC on 4 March is 09:30 in Chicago (CST, UTC-6); on 4 July it is 10:30 (CDT, UTC-5)
    assert (
        fmt.org_time(dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC), "America/Chicago")
        == "2026-03-04 09:30 CST"
    )
    assert (
        fmt.org_time(dt.datetime(2026, 7, 4, 15, 30), "America/Chicago") == "2026-07-04 10:30 CDT"
    )  # naive = UTC
    assert fmt.org_time(pd.NaT, "America/Chicago") == "—"


def test_names_stand_beside_ids():
    assert fmt.name_with_id("Ana Reyes", "P0002") == "Ana Reyes (P0002)"
    assert fmt.name_with_id(None, "P0002") == "P0002"


def test_a_frame_for_display_formats_named_columns_and_fills_empties_leaving_numbers_numbers():
    frame = pd.DataFrame(
        {
            "status": ["partially_paid", None],
            "paid": [Decimal("10"), None],
            "note": [None, "ok"],
            "claims": [3, 4],
        }
    )
    shown = fmt.for_display(frame, timezone="UTC", codes=["status"], money_columns=["paid"])
    assert list(shown["status"]) == ["Partially paid", "—"]
    assert list(shown["paid"]) == ["$10.00", "—"]
    assert list(shown["note"]) == ["—", "ok"]
    assert list(shown["claims"]) == [3, 4]
    assert frame["note"].isna().tolist() == [True, False]  # the original, which exports take, is untouched


def test_a_column_of_calendar_days_stays_the_same_day_and_a_column_of_moments_moves_to_the_org_zone():
    frame = pd.DataFrame(
        {
            # a DATE column as DuckDB hands it to pandas: midnight, no zone; in Chicago it would be the day
            # before
            "service date": pd.to_datetime(["2026-04-10", None]),
            "processed at": pd.to_datetime(["2026-04-10 03:00", "2026-04-11 15:30"]),
        }
    )
    shown = fmt.for_display(frame, timezone="America/Chicago")
    assert list(shown["service date"]) == ["2026-04-10", "—"]
    assert list(shown["processed at"]) == ["2026-04-09 22:00 CDT", "2026-04-11 10:30 CDT"]


def test_credit_types_channels_and_enrollment_changes_read_as_words():
    assert fmt.label("AMA_PRA_1") == "AMA PRA Category 1 Credit"
    assert fmt.label("ANCC") == "ANCC contact hours"
    assert fmt.label("sms") == "Text message"
    assert (fmt.label("add"), fmt.label("term")) == ("Added", "Ended")
    assert fmt.label("admin") == "Administrator"  # the role, not a channel's wording


def test_a_share_that_is_a_whole_percentage_reads_without_decimals_despite_float_rounding():
    assert fmt.percent(Decimal("40.0") / 100) == "40%"  # 0.4 * 100 is 40.00000000000001 as a float
    assert fmt.percent(0.333) == "33.3%"


def test_a_column_of_dates_with_a_gap_reads_as_days_and_a_dash():
    frame = pd.DataFrame({"Last completion": [None, dt.date(2025, 1, 1)], "Due": [dt.date(2026, 3, 1)] * 2})
    shown = fmt.for_display(frame, timezone="America/Chicago")
    assert list(shown["Last completion"]) == ["—", "2025-01-01"]
    assert (
        list(shown["Due"]) == [dt.date(2026, 3, 1)] * 2
    )  # no gap: the dates stay dates (they sort as dates)


def test_a_column_of_decimals_with_a_gap_reads_as_the_amounts_and_a_dash():
    shown = fmt.for_display(pd.DataFrame({"Credits": [Decimal("1.50"), None]}), timezone="America/Chicago")
    assert list(shown["Credits"]) == ["1.50", "—"]


def test_a_qualified_code_reads_as_both_its_parts():
    assert fmt.label("portal_user:ce_portal") == "Portal user: CE portal"
    assert fmt.label("09:15") == "09:15"  # not a code


def test_a_members_relationship_reads_as_words():
    assert [fmt.label(r) for r in ("self", "spouse", "child", "other")] == [
        "Subscriber",
        "Spouse",
        "Child",
        "Other dependent",
    ]


def test_a_file_carries_the_label_with_its_code_beside_it_and_moments_in_the_org_zone_named_in_the_header():
    frame = pd.DataFrame(
        {
            "Member": ["M1", "M2", "M3"],
            "Relationship": ["self", None, "child"],
            # 2026-01-15 18:00 UTC = 12:00 CST (UTC-6); 2026-07-15 18:00 UTC = 13:00 CDT (UTC-5)
            "Processed (UTC)": pd.to_datetime(["2026-01-15 18:00", "2026-07-15 18:00", None]),
            "Service date": pd.to_datetime(["2026-01-15", "2026-07-15", "2026-07-16"]),  # days stay days
            "Billed": [Decimal("10.00"), Decimal("0.50"), None],
        }
    )
    out = fmt.for_export(frame, timezone="America/Chicago", labelled=["Relationship"])
    assert list(out.columns) == [
        "Member",
        "Relationship",
        "Relationship code",
        "Processed (CST/CDT)",
        "Service date",
        "Billed",
    ]

    def cells(column: str) -> list:
        return [None if pd.isna(v) else v for v in out[column]]  # an empty cell stays empty in the file

    assert cells("Relationship") == ["Subscriber", None, "Child"]
    assert cells("Relationship code") == ["self", None, "child"]
    assert list(out["Processed (CST/CDT)"])[:2] == [
        pd.Timestamp("2026-01-15 12:00"),
        pd.Timestamp("2026-07-15 13:00"),
    ]
    assert pd.isna(out["Processed (CST/CDT)"][2])
    assert list(out["Service date"]) == list(frame["Service date"])
    assert list(out["Billed"])[:2] == [Decimal("10.00"), Decimal("0.50")]
    assert list(frame.columns)[2] == "Processed (UTC)"  # the page's frame is untouched


def test_a_column_of_winter_moments_names_one_zone_and_an_aware_column_converts_too():
    frame = pd.DataFrame({"at": pd.to_datetime(["2026-03-04 14:40"]).tz_localize("UTC")})
    out = fmt.for_export(frame, timezone="America/Chicago")
    assert list(out.columns) == ["at (CST)"]
    assert out["at (CST)"][0] == pd.Timestamp("2026-03-04 08:40")  # naive org time: a plain date-time cell


def test_moments_on_midnight_utc_named_as_times_move_to_the_org_zone_and_unnamed_ones_stay_days():
    midnight = pd.to_datetime(["2026-03-05 00:00"])  # midnight UTC is 18:00 the day before in Chicago (CST)
    frame = pd.DataFrame({"Created": midnight, "Due": midnight})
    out = fmt.for_export(frame, timezone="America/Chicago", time_columns=["Created"])
    assert list(out.columns) == ["Created (CST)", "Due"]
    assert out["Created (CST)"][0] == pd.Timestamp("2026-03-04 18:00")
    assert out["Due"][0] == pd.Timestamp("2026-03-05")


def test_a_column_of_moments_reads_in_the_org_zone_across_the_clock_changes():
    # Chicago: clocks go 02:00 CST -> 03:00 CDT at 08:00 UTC on 8 March 2026, and 02:00 CDT -> 01:00 CST at
    # 07:00 UTC on 1 November 2026 (01:30 happens twice); 2040 is past the transitions many zone files list
    frame = pd.DataFrame(
        {
            "at": pd.to_datetime(
                [
                    "2026-03-08 07:59",
                    "2026-03-08 08:00",
                    "2026-11-01 06:30",
                    "2026-11-01 07:30",
                    None,
                    "2040-07-01 12:00",
                ]
            )
        }
    )
    shown = fmt.for_display(frame, timezone="America/Chicago")
    assert list(shown["at"]) == [
        "2026-03-08 01:59 CST",
        "2026-03-08 03:00 CDT",
        "2026-11-01 01:30 CDT",
        "2026-11-01 01:30 CST",
        "—",
        "2040-07-01 07:00 CDT",
    ]


def test_a_column_of_moments_keeps_each_zones_own_abbreviation_and_a_moment_given_in_another_zone():
    utc_afternoon = pd.Series(pd.to_datetime(["2026-03-04 15:30"]))
    assert fmt.org_times(utc_afternoon, "Asia/Kolkata") == ["2026-03-04 21:00 IST"]  # UTC+5:30
    assert fmt.org_times(utc_afternoon, "America/Sao_Paulo") == ["2026-03-04 12:30 -03"]  # no abbreviation
    berlin = pd.Series(pd.to_datetime(["2026-03-04 16:30"])).dt.tz_localize("Europe/Berlin")  # 15:30 UTC
    assert fmt.org_times(berlin, "America/Chicago") == ["2026-03-04 09:30 CST"]


def test_a_column_of_moments_in_an_unknown_zone_fails_as_one_moment_does():
    with pytest.raises(ZoneInfoNotFoundError):
        fmt.org_time(dt.datetime(2026, 3, 4, 15, 30), "Nowhere/Atlantis")
    with pytest.raises(ZoneInfoNotFoundError):
        fmt.org_times(pd.Series(pd.to_datetime(["2026-03-04 15:30"])), "Nowhere/Atlantis")


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(sorted(available_timezones() - {"Factory"})),
    moments=st.lists(
        st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2200, 12, 31)),
        min_size=1,
        max_size=40,
    ),
)
def test_a_column_at_once_reads_exactly_as_its_moments_one_by_one(zone, moments):
    column = pd.Series(pd.to_datetime(moments))
    assert fmt.org_times(column, zone) == [fmt.org_time(m, zone) for m in column]
    assert fmt.org_dates(column) == [fmt.org_date(m) for m in column]
