"""The employer's page: defaults counted back from the data's last day, subscribers and members by plan and
tier per month as a chart, and its download (scenario: tests/health_plan/dashboard/family_snapshot.py; Initech
is E3).

By hand, at each month-end of 2026: the Reyes family (P2, FAM: 1 subscriber, 4 members) from January; Sam
Ortiz (P2, EMP) from February's to September's month-end (his span ends 2026-10-15); Kim Lee (P2, EMP) from
October's (her span starts 2026-10-01). The data's last day is 2026-11-20, so the last full month is October
2026.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from reports import audit
from reports.health_plan import reads as health_plan
from reports.principal import Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN
from tests.dashboard.published_marts import capture_downloads
from tests.health_plan.dashboard.family_snapshot import publish_family_snapshot
from tests.health_plan.dashboard.plan_snapshot import publish_snapshot as publish_plan_snapshot

INITECH = ("hr.initech", Role.EMPLOYER, ("E3",))


@pytest.fixture
def published(settings):
    publish_family_snapshot(settings)


def chart(app) -> tuple[dict, list[dict]]:
    [element] = app.get("vega_lite_chart")
    return json.loads(element.proto.spec), pa.ipc.open_stream(element.proto.data.data).read_all().to_pylist()


def at(data: list[dict], day: dt.date) -> dict[str, int]:
    return {r["series"]: r["value"] for r in data if r["x"].date() == day and r["value"]}


def test_defaults_follow_the_data_and_say_which_day(published, signed_in_as):
    app = signed_in_as(*INITECH)  # today (the real date) is past 2026-11-20
    assert not app.exception
    assert app.caption[0].value == (
        "The plan's data runs to 2026-11-20: dates and periods below start from that day "
        "(last full month: October 2026)."
    )
    assert app.date_input(key="roster_on").value == dt.date(2026, 11, 20)
    assert (app.date_input(key="changes_from").value, app.date_input(key="changes_to").value) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    # October: Kim added on the 1st, Sam's coverage ended on the 15th (not "0 added, 0 ended").
    assert "1 added, 1 ended between 2026-10-01 and 2026-10-31." in [c.value for c in app.caption]
    changes = app.dataframe[1].value
    assert list(zip(changes["Change"], changes["First name"], strict=True)) == [
        ("Added", "Kim"),  # the change in words, not add / term
        ("Ended", "Sam"),
    ]


def test_members_and_subscribers_by_plan_and_tier_per_month(published, signed_in_as):
    app = signed_in_as(*INITECH)
    spec, data = chart(app)
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["title"] == "Members"
    assert spec["encoding"]["color"]["title"] == "Plan · tier"
    # Twelve month-ends ending October 2026; nobody was covered before 2026.
    assert sorted({r["x"].date() for r in data})[0] == dt.date(2026, 1, 31)
    # the legend names the tiers in words (FAM = Family, EMP = Employee only)
    assert at(data, dt.date(2026, 1, 31)) == {"P2 · Family": 4}
    assert at(data, dt.date(2026, 9, 30)) == {"P2 · Employee only": 1, "P2 · Family": 4}  # Sam
    assert at(data, dt.date(2026, 10, 31)) == {"P2 · Employee only": 1, "P2 · Family": 4}  # Kim, not Sam
    app.radio(key="counts_measure").set_value("subscribers").run()
    spec, data = chart(app)
    assert spec["encoding"]["y"]["title"] == "Subscribers"
    assert at(data, dt.date(2026, 9, 30)) == {"P2 · Employee only": 1, "P2 · Family": 1}
    table = app.dataframe[2].value
    assert list(table.columns) == ["Month end", "Plan", "Tier", "Subscribers", "Members"]
    assert len(table) == 1 + 2 * 9  # January: FAM only; February to October: EMP and FAM


def test_the_monthly_counts_download_and_audit(published, signed_in_as, settings, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*INITECH)
    assert not app.exception
    lines = downloads["enrollment_by_month_E3_202511_202610.csv"]().decode("utf-8-sig").splitlines()
    assert lines[:3] == [  # the tier in words as on the page, its code after it
        "Month end,Plan,Tier,Tier code,Subscribers,Members",
        "2026-01-31,P2,Family,FAM,1,4",
        "2026-02-28,P2,Employee only,EMP,1,1",
    ]
    assert [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])] == [
        ("enrollment by month E3 2025-11-01 to 2026-10-31 csv", 19)
    ]


def test_monthly_counts_never_include_another_employers_members(settings):
    publish_plan_snapshot(settings)  # Acme (E1): S1 + S1D (FAM), S3 (EMP from March); Globex (E2): S2 (EMP)
    acme = Principal("hr.acme", Role.EMPLOYER, ("E1",))
    with open_snapshot(settings) as conn:
        counts = health_plan.enrollment_by_month(acme, conn, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert list(zip(counts.month_end.astype(str), counts.coverage_tier, counts.members, strict=True)) == [
        ("2025-01-31", "FAM", 2),
        ("2025-02-28", "FAM", 2),
        ("2025-03-31", "EMP", 1),
        ("2025-03-31", "FAM", 2),
    ]


def test_a_date_past_the_data_says_so_next_to_the_field_and_which_day_is_shown(published, signed_in_as):
    app = signed_in_as(*INITECH)
    app.date_input(key="roster_on").set_value(dt.date(2027, 1, 5)).run()
    assert not app.exception
    # the data end on 2026-11-20: the page says the entry is out of range and shows the roster of that day
    assert [e.value for e in app.error] == [
        "Roster as of: 2027-01-05 is outside the allowed dates (up to 2026-11-20); showing 2026-11-20 "
        "instead."
    ]
    roster_rows = len(app.dataframe[0].value)
    app.date_input(key="roster_on").set_value(dt.date(2026, 11, 20)).run()
    assert app.error == [] or [e.value for e in app.error] == []
    assert len(app.dataframe[0].value) == roster_rows  # the same roster as the last day's


def test_a_month_past_the_data_says_so_next_to_the_field(published, signed_in_as):
    app = signed_in_as(*INITECH)
    app.date_input(key="counts_to").set_value(dt.date(2027, 3, 31)).run()
    assert not app.exception
    # the data end on 2026-11-20: no month-end after it has counts; the page says which date it uses
    assert [e.value for e in app.error] == [
        "Months to: 2027-03-31 is outside the allowed dates (up to 2026-11-20); showing 2026-11-20 instead."
    ]
    assert list(app.dataframe[2].value["Tier"])[:2] == [
        "Family",
        "Employee only",
    ]  # January FAM, February EMP


def test_a_period_ending_before_it_starts_says_so_next_to_the_field_and_which_period_is_shown(
    published, signed_in_as
):
    app = signed_in_as(*INITECH)  # adds and terms from 2026-10-01 (the last full month)
    app.date_input(key="changes_to").set_value(dt.date(2026, 9, 30)).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "To: 2026-09-30 is outside the allowed dates (from 2026-10-01); showing 2026-10-01 instead."
    ]
    # the one day 2026-10-01: Kim's coverage starts that day; Sam's ends on the 15th, outside it
    assert "1 added, 0 ended between 2026-10-01 and 2026-10-01." in [c.value for c in app.caption]
    assert list(app.dataframe[1].value["First name"]) == ["Kim"]
    # a start far back is taken as typed (Streamlit's own bounds, ten years around the default, would have
    # refused it silently): every add since then, and Sam's term
    app.date_input(key="changes_from").set_value(dt.date(2010, 1, 1))
    app.date_input(key="changes_to").set_value(dt.date(2026, 10, 31)).run()
    assert [e.value for e in app.error] == []
    # adds: the four Reyes (2026-01-01), Sam (2026-02-01), Kim (2026-10-01); term: Sam (2026-10-15)
    assert "6 added, 1 ended between 2010-01-01 and 2026-10-31." in [c.value for c in app.caption]


def test_the_relationship_reads_as_words_on_the_page_and_in_the_files_with_the_code_beside_it(
    published, signed_in_as, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*INITECH)
    roster = app.dataframe[0].value
    # on 2026-11-20, by subscriber, the subscriber first: Maria's family (F1, F1A Lia, F1K Tom, F1S Jon), Kim
    assert list(zip(roster["First name"], roster["Relationship"], strict=True)) == [
        ("Maria", "Subscriber"),
        ("Lia", "Child"),
        ("Tom", "Child"),
        ("Jon", "Spouse"),
        ("Kim", "Subscriber"),
    ]
    lines = downloads["roster_E3_20261120.csv"]().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Member ID,Subscriber ID,Relationship,Relationship code,First name,")
    assert [line.split(",")[2:5] for line in lines[1:]] == [
        ["Subscriber", "self", "Maria"],
        ["Child", "child", "Lia"],
        ["Child", "child", "Tom"],
        ["Spouse", "spouse", "Jon"],
        ["Subscriber", "self", "Kim"],
    ]
    # adds and terms (October: Kim added, Sam ended), in its workbook
    sheet = load_workbook(io.BytesIO(downloads["adds_terms_E3_20261001_20261031.xlsx"]())).active
    rows = list(sheet.iter_rows(values_only=True))
    relationship = rows[0].index("Relationship")
    assert rows[0][relationship + 1] == "Relationship code"
    assert [r[relationship : relationship + 2] for r in rows[1:]] == [("Subscriber", "self")] * 2
