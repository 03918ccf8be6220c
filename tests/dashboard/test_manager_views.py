"""The education manager's Compliance page on a hand-built snapshot (tests/dashboard/published_marts.py).

mia manages departments ICU and ER; P0004 (ONC) is in the same marts and must never show, on the page or in
the reads behind it.
"""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.session import ACTIVE_KEY
from reports import audit, staff_views
from reports.auth import ActiveSession
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.conftest import ADMIN, titles
from tests.dashboard.published_marts import AS_OF, MANAGER_SCOPE, capture_downloads, publish_snapshot

MANAGER = Principal("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
COMPLIANCE_VIEW = str(Path(__file__).parents[2] / "dashboard" / "views" / "compliance.py")
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
    # ICU: 2 compliant of 5 assessed = 40.0; ER: 0 of 1 assessed (not_due_yet left out) = 0.0; ONC absent
    assert summary(app) == [
        ("ER", 1, 2, 0, 1, 0, 1, Decimal("0.0")),
        ("ICU", 2, 5, 2, 1, 2, 0, Decimal("40.0")),
    ]
    assert len(app.get("vega_lite_chart")) == 2  # % compliant and requirements per status


def test_by_job_role_and_by_manager_also_leave_other_departments_out(manager):
    app = manager
    app.radio(key="compliance_by").set_value("Job role").run()
    # RN in scope = P0001 + P0002 (2 of 5 = 40.0). Were ONC's P0004 counted, RN would be 2 of 6 = 33.3.
    assert summary(app) == [
        ("MD", 1, 2, 0, 1, 0, 1, Decimal("0.0")),
        ("RN", 2, 5, 2, 1, 2, 0, Decimal("40.0")),
    ]
    app.radio(key="compliance_by").set_value("Manager").run()
    # M0003 manages only ONC's P0004: not listed
    assert [row[0] for row in summary(app)] == ["M0001", "M0002"]


def test_overdue_and_due_soon_lists_most_overdue_first(manager):
    app = manager
    overdue, due_soon = app.dataframe[1].value, app.dataframe[2].value
    assert list(zip(overdue["Person ID"], overdue["Due date"], strict=True)) == [
        ("P0002", dt.date(2026, 3, 1)),
        ("P0001", dt.date(2026, 6, 1)),
    ]  # P0004 (ONC, overdue since 2026-05-01) is not the manager's
    assert list(zip(due_soon["Person ID"], due_soon["Due date"], strict=True)) == [
        ("P0001", dt.date(2026, 7, 15)),
        ("P0003", dt.date(2026, 7, 20)),
    ]
    assert [m.value for m in app.markdown if m.value.startswith("**")] == [
        "**Overdue: 2**",
        "**Due soon: 2**",
    ]


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


def test_the_overdue_list_exports_to_excel_and_the_export_is_audited(settings, signed_in_as, monkeypatch):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
    assert [b.label for b in app.get("download_button")] == ["Download the overdue and due-soon list (Excel)"]
    book = openpyxl.load_workbook(io.BytesIO(downloads[EXPORT_FILE]()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[6], r[8]) for r in rows] == [
        ("P0002", "R1", "overdue"),
        ("P0001", "R3", "overdue"),
        ("P0001", "R2", "due_soon"),
        ("P0003", "R2", "due_soon"),
    ]
    exports = [(r.target, r.row_count, r.detail) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert exports == [("compliance overdue list xlsx", 4, "as of 2026-06-30")]


def test_one_as_of_date_is_shown_and_explained(manager):
    app = manager
    assert app.selectbox(key="compliance_as_of").options == ["2026-06-30"]
    [note] = [i.value for i in app.info]
    assert "as of **2026-06-30**" in note
    assert "`portalytics materialize --as-of 2026-05-31`" in note


def test_with_several_as_of_dates_the_selector_picks_one_snapshot(settings, signed_in_as):
    publish_snapshot(settings, as_of_dates=(dt.date(2026, 5, 31), AS_OF))
    app = signed_in_as("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE)
    assert app.selectbox(key="compliance_as_of").options == ["2026-06-30", "2026-05-31"]
    assert [i.value for i in app.info] == []
    app.selectbox(key="compliance_as_of").select(dt.date(2026, 5, 31)).run()
    # one date's rows only: ICU still 5 requirements, not 10
    assert summary(app)[1][:3] == ("ICU", 2, 5)


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
