"""The education manager's Compliance page on a hand-built snapshot (tests/dashboard/published_marts.py).

mia manages departments ICU and ER; P0004 (ONC) is in the same marts and must never show, on the page or in
the reads behind it.
"""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.session import ACTIVE_KEY
from reports import audit
from reports.auth import ActiveSession
from reports.learning import staff_views
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, titles
from tests.dashboard.published_marts import AS_OF, MANAGER_SCOPE, capture_downloads, publish_snapshot

MANAGER = Principal("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
COMPLIANCE_VIEW = str(Path(__file__).parents[3] / "dashboard" / "views" / "education_manager/compliance.py")
EXPORT_FILE = "compliance_overdue_2026-06-30.xlsx"


@pytest.fixture
def manager(settings, signed_in_as):
    publish_snapshot(settings)
    return signed_in_as("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)


def summary(app) -> list[tuple]:
    table = app.dataframe[0].value
    return [tuple(r) for r in table.itertuples(index=False)]


def test_compliance_by_department_counts_only_the_managers_departments(manager):
    app = manager
    assert titles(app) == ["Compliance"]
    assert not app.exception
    # (department, people, requirements, overdue, due soon, compliant, not due yet, % compliant)
    # ICU: 2 compliant of 5 assessed = 40%; ER: 0 of 1 assessed (not_due_yet left out) = 0%; ONC absent
    assert summary(app) == [
        ("ER", 1, 2, 0, 1, 0, 1, "0%"),
        ("ICU", 2, 5, 2, 1, 2, 0, "40%"),
    ]
    assert len(app.get("vega_lite_chart")) == 3  # the trend, % compliant and requirements per status


def test_by_job_role_and_by_manager_also_leave_other_departments_out(manager):
    app = manager
    app.radio(key="compliance_by").set_value("Job role").run()
    # RN in scope = P0001 + P0002 (2 of 5 = 40%). Were ONC's P0004 counted, RN would be 2 of 6 = 33.3%.
    assert summary(app) == [
        ("MD", 1, 2, 0, 1, 0, 1, "0%"),
        ("RN", 2, 5, 2, 1, 2, 0, "40%"),
    ]
    app.radio(key="compliance_by").set_value("Manager").run()
    # the name beside the id (M0002 is in no directory row: its id is all there is); M0003 manages only ONC's
    # P0004: not listed
    assert [row[0] for row in summary(app)] == ["Mia Park (M0001)", "M0002"]


def _people_list(app):
    return app.dataframe[1].value  # after the summary table


def test_the_overdue_list_has_one_row_per_person_most_days_overdue_first(manager):
    app = manager
    listed = _people_list(app)
    # P0002: R1 due 1 March, 121 days before 30 June (30 + 30 + 31 + 30). P0001: R3 due 1 June, 29 days; and
    # R2 due soon. P0003 has only a due-soon item. ONC's P0004 (overdue since 1 May) is not the manager's.
    got = list(
        zip(listed["Person ID"], listed["Days overdue"], listed["Overdue"], listed["Due soon"], strict=True)
    )
    assert [(p, None if pd.isna(d) else int(d), o, s) for p, d, o, s in got] == [
        ("P0002", 121, 1, 0),
        ("P0001", 29, 1, 1),
        ("P0003", None, 0, 1),
    ]
    # manager names beside their ids (M0002 is in no directory row: its id is all there is)
    assert list(listed["Manager"]) == ["Mia Park (M0001)", "Mia Park (M0001)", "M0002"]
    assert list(listed["Items (most overdue first)"])[1] == (
        "Fire safety: 29 days overdue; Basic life support: due 2026-07-15"
    )
    assert [m.value for m in app.markdown if m.value.startswith("**")] == [
        "**Overdue: 2 people, 2 items** · **Due soon: 2 items**"
    ]


def test_the_overdue_list_filters_by_course_job_role_and_manager(manager):
    app = manager
    app.multiselect(key="overdue_course").select("Basic life support").run()
    listed = _people_list(app)
    assert list(listed["Person ID"]) == [
        "P0001",
        "P0003",
    ]  # both due soon on BLS; P0001's fire safety left out
    assert list(listed["Overdue"]) == [0, 0]
    app.multiselect(key="overdue_course").unselect("Basic life support").run()
    app.multiselect(key="overdue_role").select("MD").run()
    assert list(_people_list(app)["Person ID"]) == ["P0003"]
    app.multiselect(key="overdue_role").unselect("MD").run()
    app.multiselect(key="overdue_manager").select("Mia Park (M0001)").run()
    assert list(_people_list(app)["Person ID"]) == ["P0002", "P0001"]


def test_the_status_chart_uses_a_fixed_palette_with_overdue_strongest(manager):
    import json

    specs = [json.loads(c.proto.spec) for c in manager.get("vega_lite_chart")]
    [status_chart] = [s for s in specs if "encoding" in s and s["encoding"].get("color", {}).get("scale")]
    scale = status_chart["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Overdue", "Due soon", "Compliant", "Not due yet"]
    assert scale["range"][0] == "#A63603"  # the darkest colour goes to overdue
    assert status_chart["encoding"]["y"]["axis"]["format"] == "d"  # whole requirements only


def test_drill_down_to_a_person_shows_their_requirements_and_is_audited(settings, manager):
    app = manager
    picker = app.selectbox(key="compliance_person")
    assert picker.options == [
        "Lovelace, Zoë (P0001, ICU)",
        "Okafor, Ben (P0002, ICU)",
        "Young, Cy (P0003, ER)",
    ]
    picker.select("P0002").run()
    person = app.dataframe[-1].value
    assert list(zip(person["Requirement"], person["Status"], person["Due date"], strict=True)) == [
        ("R1", "Overdue", dt.date(2026, 3, 1)),
        ("R2", "Compliant", dt.date(2027, 1, 1)),
    ]
    views = [(r.target, r.row_count) for r in reversed(audit.read(settings, ADMIN, actions=["view"]))]
    assert views == [("compliance overdue and due-soon list", 4), ("compliance person P0002", 2)]


def test_the_overdue_list_exports_to_excel_and_csv_in_one_click_and_the_export_is_audited(
    settings, signed_in_as, monkeypatch
):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
    # the summary's buttons, then the overdue list's: one click each, no "prepare" step
    assert [b.label for b in app.get("download_button")] == ["Download CSV", "Download Excel"] * 2
    assert {EXPORT_FILE, EXPORT_FILE.replace(".xlsx", ".csv")} <= set(downloads)
    book = openpyxl.load_workbook(io.BytesIO(downloads[EXPORT_FILE]()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5], r[6], r[8], r[10]) for r in rows] == [
        ("P0002", "Mia Park (M0001)", "R1", "overdue", 121),
        ("P0001", "Mia Park (M0001)", "R3", "overdue", 29),
        ("P0001", "Mia Park (M0001)", "R2", "due_soon", None),
        ("P0003", "M0002", "R2", "due_soon", None),
    ]
    lines = downloads[EXPORT_FILE.replace(".xlsx", ".csv")]().decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["P0002", "P0001", "P0001", "P0003"]  # the same rows
    exports = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert exports == [  # newest first
        ("compliance overdue list as of 2026-06-30 csv", 4),
        ("compliance overdue list as of 2026-06-30 xlsx", 4),
    ]


def test_the_manager_picks_the_latest_date_or_any_month_end_and_no_command_line_is_shown(manager):
    app = manager
    picker = app.selectbox(key="compliance_as_of")
    assert picker.options == ["2026-06-30 (latest)", "2026-05-31 (month end)", "2026-04-30 (month end)"]
    assert [i.value for i in app.info] == []
    assert not any("portalytics materialize" in m.value for m in [*app.markdown, *app.caption])
    # today is past the data: the page says its date is the data's last day
    assert any("as of **2026-06-30**, the last day of the published data" in c.value for c in app.caption)
    picker.select(dt.date(2026, 4, 30)).run()
    # 30 April from the history: ICU 2 compliant of 4 assessed = 50% (R3 not due yet left out), ER 1 of 1
    assert [(r[0], r[1], r[2], r[-1]) for r in summary(app)] == [
        ("ER", 1, 1, "100%"),
        ("ICU", 2, 5, "50%"),
    ]
    listed = _people_list(app)
    # as of 30 April: P0002 R1 (due 1 March) is 60 days overdue; P0001 R1 is due soon (20 May)
    assert list(zip(listed["Person ID"], listed["Overdue"], strict=True)) == [("P0002", 1), ("P0001", 0)]
    assert int(listed["Days overdue"].iloc[0]) == 60


def test_the_trend_shows_percent_compliant_per_department_with_the_target(
    settings, signed_in_as, monkeypatch
):
    import json

    import pyarrow as pa

    monkeypatch.setenv("PORTALYTICS_COMPLIANCE_TARGET_PCT", "85")
    publish_snapshot(settings)
    app = signed_in_as("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
    [trend] = [c for c in app.get("vega_lite_chart") if "layer" in json.loads(c.proto.spec)]
    spec = json.loads(trend.proto.spec)
    assert spec["layer"][1]["data"]["values"] == [{"target": 85.0}]
    data = pa.ipc.open_stream(trend.proto.data.data).read_all().to_pylist()
    got = sorted((r["x"].date().isoformat(), r["series"], r["value"]) for r in data)
    assert got == [
        ("2026-04-30", "ER", 100.0),
        ("2026-04-30", "ICU", 50.0),
        ("2026-05-31", "ER", 100.0),
        ("2026-05-31", "ICU", 60.0),
        ("2026-06-30", "ER", 0.0),
        ("2026-06-30", "ICU", 40.0),
    ]  # ONC never appears
    assert any("85 % compliant" in c.value for c in app.caption)


def test_the_reads_refuse_or_narrow_outside_the_managers_scope(settings):
    publish_snapshot(settings)
    staff = Principal("zoe", Role.STAFF, ("P0001",))
    with open_snapshot(settings) as conn:
        with pytest.raises(NotPermitted):
            staff_views.compliance_summary_at(staff, conn, "department", AS_OF)
        assert staff_views.compliance_rows_at(MANAGER, conn, AS_OF, person_id="P0004").empty
        assert set(staff_views.compliance_people_at(MANAGER, conn, AS_OF)["department"]) == {"ICU", "ER"}
        # a staff user's compliance rows are their own, whoever they ask about
        assert (
            set(staff_views.compliance_rows_at(staff, conn, AS_OF, person_id="P0002")["person_id"]) == set()
        )


def test_the_compliance_page_itself_refuses_a_staff_principal(settings):
    """Even run without the router (which hides it from staff), the page stops before reading anything."""
    publish_snapshot(settings)
    now = dt.datetime(2026, 6, 30, 9, 0)
    app = AppTest.from_file(COMPLIANCE_VIEW, default_timeout=30)
    app.session_state[ACTIVE_KEY] = ActiveSession(
        Principal("zoe", Role.STAFF, ("P0001",)), False, "password", now, now, now
    )
    app.run()
    assert [e.value for e in app.error] == ["This page is not available to your role."]
    assert app.dataframe.len == 0


def test_empty_cells_read_as_a_dash_and_the_summary_exports_its_percentages_as_numbers(
    settings, manager, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = manager.run()
    app.selectbox(key="compliance_person").select("P0002").run()
    person = app.dataframe[-1].value
    # P0002's hand hygiene (R1) was never completed: no completion, no end of validity
    assert list(
        zip(person["Requirement"], person["Last completion"], person["Valid until"], strict=True)
    ) == [
        ("R1", "—", "—"),
        ("R2", "2025-01-01", "2027-01-01"),
    ]
    lines = downloads["compliance_by_department_2026-06-30.csv"]().decode("utf-8-sig").splitlines()
    # the page says "40%"; the file keeps the figure a number a spreadsheet can sum (ICU 2 of 5 = 40.0)
    assert lines[0].split(",")[-1] == "% compliant" and lines[2].split(",")[-1] == "40.0"
    exports = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert exports == [("compliance by department as of 2026-06-30 csv", 2)]


@pytest.mark.parametrize(
    ("now", "caption"),
    [
        # 03:00 UTC on July 1 is 22:00 CDT on June 30 in Chicago: still the data's last day there.
        (dt.datetime(2026, 7, 1, 3, tzinfo=dt.UTC), "Figures are as of **2026-06-30**."),
        # 05:00 UTC is midnight CDT: July 1 has begun in Chicago too.
        (
            dt.datetime(2026, 7, 1, 5, tzinfo=dt.UTC),
            "Figures are as of **2026-06-30**, the last day of the published data "
            "(today, 2026-07-01, is past it).",
        ),
    ],
)
def test_today_is_the_organisations_day(manager, monkeypatch, now, caption):
    from reports import clock

    monkeypatch.setattr(clock, "utc_now", lambda: now)
    app = manager.run()
    assert not app.exception
    assert caption in [c.value for c in app.caption]
