"""The generator's 834 files, read back by the 834 ingest, give exactly the spans they were written from."""

from __future__ import annotations

import datetime as dt

from pipelines.generator.standard_formats import write_834
from tests.standard_formats.support import ingest, quarantine, rows

D = dt.date


def _member(member_id, rel="self", employer="EMP0001"):
    return {
        "member_id": member_id,
        "subscriber_id": "M000000101",
        "relationship": rel,
        "first_name": "Zoé",
        "last_name": "O'Brien",
        "birth_date": "1990-02-03",
        "sex": None,
        "employer_id": employer,
    }


def _span(member_id, plan, tier, start, end=None):
    return {
        "member_id": member_id,
        "plan_id": plan,
        "coverage_tier": tier,
        "coverage_start": start,
        "coverage_end": end,
    }


def test_spans_survive_the_round_trip_through_834_files(settings):
    spans = [
        _span("M000000101", "PPO500", "EMP", "2024-01-01", "2024-05-31"),  # then a plan change
        _span("M000000101", "PPO1500", "ECH", "2024-06-01", "2024-09-30"),
        _span("M000000103", "PPO1500", "ECH", "2024-09-30", "2024-09-30"),  # born on the family's last day
        _span("M000000101", "PPO1500", "EMP", "2025-01-01"),  # back after a gap
    ]
    members = [_member("M000000101"), _member("M000000103", "child"), _member("M000000104", "child")]
    files = write_834(settings.landing_dir / "x12_834", {"members.csv": members}, {"enrollment.csv": spans})
    assert (
        files == 5
    )  # 2024-01, 2024-06, 2024-09, 2025-01, and 2026-10 where the member without coverage joins
    ingest(settings, "x12_834")
    assert quarantine(settings, "x12_834") == []
    got = rows(
        settings,
        "SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end FROM staging.hp_enrollment "
        "ORDER BY 1, 4",
    )
    assert got == [
        ("M000000101", "PPO500", "EMP", D(2024, 1, 1), D(2024, 5, 31)),
        ("M000000101", "PPO1500", "ECH", D(2024, 6, 1), D(2024, 9, 30)),
        ("M000000101", "PPO1500", "EMP", D(2025, 1, 1), None),
        ("M000000103", "PPO1500", "ECH", D(2024, 9, 30), D(2024, 9, 30)),
    ]
    assert rows(
        settings, "SELECT member_id, first_name, last_name, sex FROM staging.hp_members ORDER BY 1"
    ) == [
        ("M000000101", "Zoé", "O'Brien", "U"),  # DMG03 is required: an unknown sex is sent as U
        ("M000000103", "Zoé", "O'Brien", "U"),
        ("M000000104", "Zoé", "O'Brien", "U"),
    ]
