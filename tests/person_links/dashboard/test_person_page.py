"""The Person page (admins and the help desk) and the support role, on the hand-built world of
``tests/person_links``: what a help-desk agent sees of one person, that every view is audited, and that the
support role never receives a claim line (refused where the data is queried)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from reports import audit
from reports import person as people
from reports.health_plan import reads as health_plan
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, titles
from tests.person_links import snapshot

SUPPORT = Principal("desk", Role.SUPPORT)


@pytest.fixture
def published(settings):
    snapshot.publish(settings)
    return settings


def _find(app, text: str):
    app.text_input(key="person_query").input(text).run()
    return app


def _frame_columns(app) -> set[str]:
    return {c for df in app.dataframe for c in df.value.columns}


def test_support_finds_ana_by_a_portal_user_name_and_sees_her_across_the_portals(published, signed_in_as):
    app = signed_in_as("desk", Role.SUPPORT)
    assert titles(app) == ["Person"]
    _find(app, "ana.d@gmail.com")  # her CE portal user name
    assert not app.exception
    assert app.selectbox(key="person_pick").value == "P1"
    assert [t.label for t in app.tabs] == [
        "Accounts (8)",  # CE1, CE2, CE3, hr, M1, three portal users
        "Sign-in problems "
        "(3)",  # LC lockout, abandoned health-plan reset, CE reset loop (in-time reset left out)
        "Compliance (2)",
        "CE transcript (1)",  # the CE credit; the Learning Center completion is not CE
        "Plan coverage (2)",  # M1's two spans
    ]
    accounts, problems, _, _, plan = app.tabs
    assert list(problems.dataframe[0].value.problem) == ["reset loop", "reset abandoned", "lockout"]
    assert list(plan.dataframe[0].value.columns) == [
        "member_id",
        "employer_name",
        "relationship",
        "plan_id",
        "coverage_tier",
        "coverage_start",
        "coverage_end",
    ]
    # her findings: terminated but still enrolled, success after a lockout, one IP on two portals
    assert len(app.warning) == 1 and app.warning[0].value == "3 finding(s) about this person"
    columns = _frame_columns(app)
    assert not {"claim_id", "allowed_amount", "member_responsibility", "lc_user_id_masked"} & columns
    assert not any("Learning Center ID" in c.value for c in app.caption)


def test_every_view_of_a_person_is_audited(published, settings, signed_in_as):
    app = signed_in_as("desk", Role.SUPPORT)
    _find(app, "Park")
    app.run()  # a rerun is another view
    views = [r for r in audit.read(settings, ADMIN, actions=("view",))]
    assert [(r.actor, r.actor_role, r.target) for r in views] == [("desk", "support", "person P3")] * 2
    assert views[0].row_count == 6 + 0 + 0 + 0 + 1  # P3: 6 links, coverage M2


def test_a_review_link_is_shown_apart_and_never_as_an_account(published, signed_in_as):
    app = signed_in_as("desk", Role.SUPPORT)
    _find(app, "P2")
    accounts = app.tabs[0]
    linked = set(accounts.dataframe[0].value.source_id)
    review = accounts.dataframe[1].value
    assert "CE5" not in linked and "M3" not in linked
    assert set(review.source_id) == {"CE5", "M3", "benng@gmail.com", "family@gmail.com"}


def test_admins_see_the_masked_id_and_the_cross_portal_findings(published, signed_in_as):
    app = signed_in_as("root", Role.ADMIN)
    app.switch_page("views/support/person.py").run()
    _find(app, "Diaz")
    assert "Learning Center ID ••••••••1234" in app.caption[1].value  # masked, and for admins only
    app.switch_page("views/admin/people_findings.py").run()
    assert not app.exception
    assert [t.label for t in app.tabs] == [
        "Plan vs HR (2)",
        "Attacks across portals (3)",
        "Leaving, CE by SSO only (2)",
        "Links for review (5)",
    ]


def test_support_can_never_read_claim_lines_or_the_lists_of_others(published, settings):
    with open_snapshot(settings) as conn:
        for read in (
            lambda: health_plan.claim_cost_share(SUPPORT, conn, member_id="M1"),
            lambda: health_plan.claim_status(SUPPORT, conn),
            lambda: health_plan.claim_exceptions(SUPPORT, conn),
            lambda: health_plan.member_accumulators(SUPPORT, conn, member_id="M1"),
            lambda: people.plan_hr_mismatches(SUPPORT, conn),
            lambda: people.cross_portal_attacks(SUPPORT, conn),
        ):
            with pytest.raises(NotPermitted):
                read()
        view = people.person_view(SUPPORT, conn, "P1")
        admin_view = people.person_view(ADMIN, conn, "P1")
    frames = [view.links, view.sign_in_problems, view.compliance, view.ce_transcript, view.plan_coverage]
    assert not any({"claim_id", "allowed_amount", "member_responsibility"} & set(f.columns) for f in frames)
    assert "lc_user_id_masked" not in view.person and admin_view.person["lc_user_id_masked"] == "••••••••1234"


@pytest.mark.parametrize("role", [Role.STAFF, Role.CE_TEAM, Role.MEMBER, Role.PROVIDER, Role.EMPLOYER])
def test_other_roles_cannot_read_a_person(published, settings, role):
    with open_snapshot(settings) as conn, pytest.raises(NotPermitted):
        people.person_view(Principal("x", role, ("P1",)), conn, "P1")


def test_the_ce_team_sees_the_leaving_staff_who_would_lose_their_ce_transcript(published, signed_in_as):
    app = signed_in_as("ce1", Role.CE_TEAM)
    app.switch_page("views/ce_team/leaving_staff.py").run()
    assert not app.exception
    assert list(app.dataframe[0].value.person_key) == ["P6", "P5"]  # latest termination date first


def test_the_person_page_reads_as_words_with_percentages_dashes_and_one_click_exports(
    published, signed_in_as, monkeypatch
):
    from tests.dashboard.published_marts import capture_downloads

    downloads = capture_downloads(monkeypatch)
    app = _find(signed_in_as("desk", Role.SUPPORT), "ana.d@gmail.com")
    accounts, _, compliance, _, plan = app.tabs
    links = accounts.dataframe[0].value
    # CE2 is linked by the duplicate model at p=0.999: the source and method in words, the probability in %;
    # her HR record is certain by construction and has no probability: a dash
    assert list(links[links.source_id == "CE2"][["source", "method", "probability"]].iloc[0]) == [
        "CE account",
        "Duplicate model",
        "99.9%",
    ]
    assert list(links[links.source_id == "ana.d@gmail.com"].source) == ["Portal user: CE portal"]
    assert list(links[links.source_id == "P1"].probability) == ["—"]
    assert list(compliance.dataframe[0].value.status) == ["Overdue", "Compliant"]
    # M1's current span is open-ended: a dash, not an empty cell; the tier in words
    assert list(plan.dataframe[0].value.coverage_end)[1] == "—"
    assert set(plan.dataframe[0].value.coverage_tier) == {"Employee only"}
    lines = downloads["person_P1_links.csv"]().decode("utf-8-sig").splitlines()
    assert "duplicate_model" in lines[2] and "0.999" in lines[2]  # the file keeps the code and the number
    exports = [(r.target, r.row_count) for r in audit.read(published, ADMIN, actions=["export"])]
    assert exports == [("person P1 links csv", 8)]


def test_a_cross_portal_finding_is_dated_in_the_organisations_zone(published, settings):
    # UTC+14 and UTC-11 are 25 hours apart: any instant falls on a different date in each
    with open_snapshot(settings) as conn:
        instants = [
            r[0]
            for r in conn.execute(
                "SELECT first_at FROM marts.cross_portal_attacks WHERE list_contains(person_keys, 'P1')"
            ).fetchall()
        ]
        days = {}
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            findings = people.person_view(SUPPORT, conn, "P1", org_timezone=zone).findings
            days[zone] = sorted(
                pd.Timestamp(d).date() for d in findings["at"][findings.detail.str.startswith("portals ")]
            )
    assert instants
    for zone, got in days.items():
        assert got == sorted(i.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date() for i in instants)
    assert days["Pacific/Kiritimati"] != days["Pacific/Pago_Pago"]
