"""Admin Security and Pipeline pages on a hand-built snapshot (events and files in
tests/health_plan/dashboard/plan_snapshot.py).

Admins see the findings; every other role can neither reach the pages nor call the reads behind them.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from reports import audit, pipeline_status
from reports.login_security import reads as security
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, titles
from tests.health_plan.dashboard.plan_snapshot import STUFFING_IP, publish_snapshot

SCOPES = {
    Role.STAFF: ("P0001",),
    Role.EDUCATION_MANAGER: ("ICU",),
    Role.CE_TEAM: (),
    Role.EMPLOYER: ("E1",),
    Role.MEMBER: ("S1",),
    Role.PROVIDER: ("1245319599",),
}


@pytest.fixture
def published(settings):
    return publish_snapshot(settings)


@pytest.fixture
def admin_app(published, signed_in_as):
    return signed_in_as("root", Role.ADMIN)


def records(frame, *columns) -> list[tuple]:
    return list(frame[list(columns)].itertuples(index=False, name=None))


# ------------------------------------------------------------------------------------------------ security
def test_admin_lands_on_security_with_the_overview_per_portal(admin_app):
    app = admin_app
    assert titles(app) == ["Security"]
    assert not app.exception
    overview = app.dataframe[0].value
    assert records(
        overview,
        "portal",
        "logins",
        "failures",
        "lockouts",
        "resets",
        "reset_loops",
        "stuffing_bursts",
        "expired_resets_completed",
    ) == [
        # ce_portal: alice's 5 failures lock her once; then 2 logins.
        ("ce_portal", 2, 5, 1, 0, 0, 0, 0),
        # health_plans: bob's 5 failures, one lock.
        ("health_plans", 0, 5, 1, 0, 0, 0, 0),
        # patient_portal: 20 stuffing failures (one per username: no lock); reset requests t1..t6 = 6;
        # frank's loop; carol's completion 60 min after the request.
        ("patient_portal", 0, 20, 0, 6, 1, 1, 1),
    ]
    assert overview.set_index("portal").loc["ce_portal", "sso_share"] == "50%"  # 1 SSO login of 2


def test_findings_tabs_list_lockouts_reset_problems_loops_and_stuffing(admin_app):
    app = admin_app
    locks, links, loops, stuffing = app.tabs
    assert [t.label for t in app.tabs] == [
        "Lockouts (2)",
        "Reset links (5)",
        "Reset loops (1)",
        "Credential stuffing (1)",
    ]
    assert records(locks.dataframe[0].value, "portal", "username", "failures") == [
        ("health_plans", "bob", 5),  # newest first: 2026-03-06
        ("ce_portal", "alice", 5),
    ]
    # By default only the problems: completed after expiry and abandoned (erin's in-time reset is left out).
    assert records(links.dataframe[0].value, "username", "reset_token", "outcome") == [
        ("frank", "t6", "Requested, never used"),
        ("frank", "t5", "Requested, never used"),
        ("frank", "t4", "Requested, never used"),
        ("dan", "t2", "Requested, never used"),
        ("carol", "t1", "Completed after the link expired"),
    ]
    assert records(loops.dataframe[0].value, "portal", "username", "requests") == [
        ("patient_portal", "frank", 3)
    ]
    assert records(stuffing.dataframe[0].value, "ip", "portal", "distinct_usernames", "failures") == [
        (STUFFING_IP, "patient_portal", 20, 20)
    ]
    # The daily trend and the bursts per day are drawn as charts.
    assert len(app.get("vega_lite_chart")) == 2


def test_security_findings_narrow_by_portal_and_days(admin_app):
    app = admin_app
    app.selectbox(key="sec_portal").select("ce_portal").run()
    assert list(app.dataframe[0].value["portal"]) == ["ce_portal"]
    assert [t.label for t in app.tabs][0] == "Lockouts (1)"
    assert list(app.tabs[0].dataframe[0].value["username"]) == ["alice"]

    app.selectbox(key="sec_portal").select("All portals")
    app.date_input(key="sec_from").set_value(dt.date(2026, 3, 6)).run()
    assert list(app.tabs[0].dataframe[0].value["username"]) == ["bob"]  # alice's lock was on March 4
    app.multiselect(key="sec_outcomes").set_value(["completed_in_time"]).run()
    assert [t.label for t in app.tabs][1] == "Reset links (0)"  # erin's in-time reset was on March 5

    app.date_input(key="sec_to").set_value(dt.date(2026, 3, 1)).run()
    assert [e.value for e in app.error] == ["The range ends (2026-03-01) before it starts (2026-03-06)."]


def charts(app) -> list[tuple[dict, list[dict]]]:
    """(spec, rows) of each chart on the page, in order: the daily trend, then the bursts per day."""
    return [
        (json.loads(c.proto.spec), pa.ipc.open_stream(c.proto.data.data).read_all().to_pylist())
        for c in app.get("vega_lite_chart")
    ]


def points(rows: list[dict]) -> list[tuple]:
    return [(r["x"].date(), r["series"], r["value"]) for r in rows]


def test_days_are_the_organisations_and_the_page_names_the_zone(admin_app):
    app = admin_app
    zone = "America/Chicago"
    assert app.date_input(key="sec_from").label == f"From (day in {zone})"
    assert app.date_input(key="sec_to").label == f"To (day in {zone})"
    assert f"Days and times are in the organisation's time zone ({zone})." in [c.value for c in app.caption]
    assert [spec["encoding"]["x"]["title"] for spec, _ in charts(app)] == [f"Day ({zone})", f"Day ({zone})"]

    # The stuffing burst ran 03:00-03:09 UTC on March 8: 21:00-21:09 CST on March 7, the day it counts on.
    # frank's three reset requests (08:00-10:00 UTC, 02:00-04:00 CST) are on March 7 too.
    app.date_input(key="sec_from").set_value(dt.date(2026, 3, 7))
    app.date_input(key="sec_to").set_value(dt.date(2026, 3, 7)).run()
    assert not app.exception
    assert records(
        app.dataframe[0].value, "portal", "logins", "failures", "resets", "reset_loops", "stuffing_bursts"
    ) == [("patient_portal", 0, 20, 3, 1, 1)]
    assert [t.label for t in app.tabs] == [
        "Lockouts (0)",
        "Reset links (3)",
        "Reset loops (1)",
        "Credential stuffing (1)",
    ]
    stuffing = app.tabs[3].dataframe[0].value
    assert list(stuffing["window_start"]) == ["2026-03-07 21:00 CST"]  # listed on the day the filter asked
    (_, trend), (_, bursts) = charts(app)
    assert points(trend) == [(dt.date(2026, 3, 7), "Patient portal", 20)]  # failed logins, the default
    assert points(bursts) == [(dt.date(2026, 3, 7), "bursts", 1)]

    # March 8 in Chicago began at 06:00 UTC: after the burst; nothing happened that day.
    app.date_input(key="sec_from").set_value(dt.date(2026, 3, 8))
    app.date_input(key="sec_to").set_value(dt.date(2026, 3, 8)).run()
    assert [t.label for t in app.tabs][3] == "Credential stuffing (0)"
    assert [i.value for i in app.info][:2] == [
        "No login activity in this range.",
        "No login activity in this range.",
    ]
    assert charts(app) == []


# ------------------------------------------------------------------------------------------------ pipeline
def test_pipeline_page_shows_snapshot_freshness_and_rejected_files(admin_app):
    app = admin_app
    app.switch_page("views/admin/pipeline.py").run()
    assert titles(app) == ["Pipeline"]
    assert not app.exception
    assert "The dashboard reads **snapshot-plan.duckdb**, published" in app.markdown[0].value
    fresh = app.dataframe[0].value.set_index("source")
    # hp_claims: one file loaded (8 rows, 2 quarantined), one rejected, one duplicate of the first.
    assert tuple(fresh.loc["hp_claims", ["files_loaded", "files_rejected", "files_duplicate"]]) == (1, 1, 1)
    assert tuple(fresh.loc["hp_claims", ["rows_loaded", "rows_quarantined"]]) == (8, 2)
    assert (
        str(fresh.loc["hp_claims", "last_loaded_at"]) == "2026-03-01 00:05 CST"
    )  # the rejected file is later; 06:05 UTC shown in the organisation's zone (Chicago, UTC-6 in March)
    assert tuple(fresh.loc["hp_plans", ["files_loaded", "rows_loaded"]]) == (
        0,
        0,
    )  # no files yet: still listed

    app.selectbox(key="ledger_status").select("rejected").run()
    ledger = app.dataframe[1].value
    assert records(ledger, "Source", "File", "Reason", "Detail") == [
        (
            "hp_claims",
            "claims_0302.csv",
            "missing_columns",
            "hp_claims/claims_0302.csv: missing required column allowed_amount",
        ),
    ]
    assert "1 files, 1 rejected whole (nothing of a rejected file is loaded)." in [
        c.value for c in app.caption
    ]


def test_quarantine_browser_filters_by_source_and_reason_and_masks_user_ids(admin_app, settings):
    app = admin_app
    app.switch_page("views/admin/pipeline.py").run()
    assert len(app.dataframe[2].value) == 5  # every quarantined row
    app.selectbox(key="quarantine_source").select("lc_people").run()
    assert app.selectbox(key="quarantine_reason").options == ["All", "bad_date", "bad_lc_user_id"]
    app.selectbox(key="quarantine_reason").select("bad_date").run()
    rows = app.dataframe[2].value
    assert records(rows, "file_name", "row_number", "column", "reason") == [
        ("people_0301.csv", 2, "hire_date", "bad_date")
    ]
    # The raw row as landed, but the Learning Center user id (birth date + SSN digits) keeps its last four
    # only.
    assert rows["raw"][0] == (
        '{"person_id": "P7", "lc_user_id": "••••••••4321", "first_name": "Eve", "hire_date": "31/31/2020"}'
    )
    assert "01021990" not in app.code[0].value
    assert ("root", "quarantine source lc_people reason bad_date", 1) in [
        (r.actor, r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["view"])
    ]


def test_an_id_in_a_raw_row_that_is_not_json_is_masked_too():
    # A truncated line: no keys to go by, so anything shaped like an id is masked.
    assert pipeline_status.mask_raw("lc_completions", '{"lc_user_id": "01/02/1990 4321", "co') == (
        '{"lc_user_id": "••••••••4321", "co'
    )
    # Sources without such a column are left as they landed.
    assert (
        pipeline_status.mask_raw("hp_claims", '{"claim_id": "01021990 4321"}')
        == '{"claim_id": "01021990 4321"}'
    )


# ------------------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize("role", list(SCOPES), ids=lambda r: r.value)
def test_non_admins_cannot_reach_security_or_pipeline_pages(published, signed_in_as, role):
    app = signed_in_as(f"user.{role.value}", role, SCOPES[role])
    for view in ("admin/security.py", "admin/pipeline.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{view}")


READS = [
    security.login_lockouts,
    security.reset_outcomes,
    security.reset_loops,
    security.credential_stuffing,
    security.login_daily_summary,
    security.security_overview,
    pipeline_status.ingest_ledger,
    pipeline_status.freshness,
    pipeline_status.quarantine_reasons,
    pipeline_status.quarantined_rows,
]


@pytest.mark.parametrize("role", list(SCOPES), ids=lambda r: r.value)
def test_non_admins_are_refused_where_the_data_is_read(published, settings, role):
    who = Principal("someone", role, SCOPES[role])
    with open_snapshot(settings) as conn:
        for read in READS:
            with pytest.raises(NotPermitted):
                read(who, conn)
        with pytest.raises(NotPermitted):
            pipeline_status.snapshot_info(who, settings, conn)


def test_unknown_filters_are_clear_errors(published, settings):
    admin = Principal("root", Role.ADMIN)
    with open_snapshot(settings) as conn:
        with pytest.raises(ValueError, match="unknown source 'hp_claimz'"):
            pipeline_status.quarantined_rows(admin, conn, source="hp_claimz")
        with pytest.raises(ValueError, match="unknown ledger status 'lost'"):
            pipeline_status.ingest_ledger(admin, conn, status="lost")


def test_viewing_the_security_page_is_audited_once_per_view(admin_app, settings):
    app = admin_app
    app.run()  # a rerun of the same view is not a new view
    app.selectbox(key="sec_portal").select("ce_portal").run()
    views = [
        (r.target, r.row_count, r.detail) for r in reversed(audit.read(settings, ADMIN, actions=["view"]))
    ]
    assert views == [
        # 2 lockouts + 5 reset problems + 1 loop + 1 stuffing burst
        (
            "login security",
            9,
            "portal All portals; from start to end; outcomes completed_after_expiry, abandoned",
        ),
        (
            "login security",
            1,
            "portal ce_portal; from start to end; outcomes completed_after_expiry, abandoned",
        ),
    ]
