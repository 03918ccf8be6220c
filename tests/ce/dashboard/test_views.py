"""The CE team's pages in the running app: the duplicate queue and its decisions, rejected claims, credit
totals."""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal

import pytest
from sqlalchemy import select

from reports import formatting
from reports.materialize_launch import start_materialize
from reports.principal import Principal, Role
from reports.state import AuditEntry, DecisionAction, list_decisions, transaction
from tests.ce.duplicates.snapshot import materialized, publish
from tests.dashboard.fixtures import titles
from tests.dashboard.published_marts import capture_downloads


@pytest.fixture
def ce_app(settings, signed_in_as):
    publish(settings.root)
    return signed_in_as("cora", Role.CE_TEAM)


def audit_rows(settings, *actions: str) -> list[tuple[str, str | None, int | None]]:
    with transaction(settings) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id))
        return [(e.action, e.target, e.row_count) for e in rows]


def queue_ids(app) -> list[str]:
    return list(app.dataframe[0].value["cluster"])


def decide(app, cluster: str, button: str, reason: str):
    app.selectbox(key="dup_cluster").select(cluster).run()
    app.text_area(key=f"dup_reason_{cluster}").input(reason)
    return app.button(key=button).click().run()


def test_the_ce_team_lands_on_the_queue_with_third_accounts_first(ce_app, settings):
    app = ce_app
    assert not app.exception
    assert titles(app) == ["Duplicate queue"]
    assert queue_ids(app) == ["CE3", "CE1", "CE6"]
    assert list(app.dataframe[0].value["kind"]) == ["⚠ third account", "personal + organisation", "other"]
    # the first cluster is open: the third account is called out, its survivor preselected and first
    assert [w.value for w in app.warning] == [
        "Third account: 3 accounts of one person. Merge all of them into one survivor."
    ]
    assert app.selectbox(key="dup_survivor_CE3").value == "CE4"
    assert list(app.dataframe[1].value.columns) == ["field", "CE4 ★ recommended", "CE3", "CE5"]
    assert audit_rows(settings, "view") == [
        ("view", "ce duplicate queue", 3),
        ("view", "ce duplicate cluster CE3", 3),
    ]


def test_a_merge_with_a_reason_is_recorded_audited_and_shown_as_pending(ce_app, settings):
    app = decide(ce_app, "CE1", "dup_merge", "same license and birth date")
    assert not app.exception
    [decision] = list_decisions(settings)
    assert (
        decision.action,
        decision.decided_by,
        decision.survivor_account_id,
        decision.merged_account_ids,
    ) == (
        DecisionAction.MERGE,
        "cora",
        "CE1",
        ("CE2",),
    )
    assert decision.reason == "same license and birth date"
    assert audit_rows(settings, "ce_merge") == [("ce_merge", "cluster CE1", 1)]
    assert [s.value for s in app.success] == [
        f"Merge into CE1 recorded (decision {decision.id}); applied by the next materialize."
    ]
    assert queue_ids(app) == ["CE3", "CE6"]  # gone from the undecided queue

    app.radio(key="dup_view").set_value("Decided").run()
    assert queue_ids(app) == ["CE1"]
    assert list(app.dataframe[0].value["pending"]) == ["Merge recorded: applied by the next materialize."]
    assert "Merge recorded: applied by the next materialize." in [i.value for i in app.info]

    publish(settings.root, "snapshot-2.duckdb", **materialized(settings))  # the next materialize ran
    app.run()
    assert list(app.dataframe[0].value["pending"]) == ["—"]  # nothing pending: a dash, not an empty cell


def test_apply_now_is_refused_while_a_dashboard_run_is_going(ce_app, settings):
    pid = start_materialize(
        settings,
        Principal("cora", Role.CE_TEAM),
        command=[sys.executable, "-c", "import time; time.sleep(3)"],
    )
    app = ce_app.run()
    assert app.button(key="dup_apply_now").disabled
    status = [i.value for i in app.info if i.value.startswith(("Queued at ", "Running since "))]
    assert len(status) == 1  # the run's status, not a process id or a log path
    assert not any("process" in m.value or "log" in m.value for m in [*app.info, *app.markdown])
    os.waitpid(pid, 0)
    assert not app.run().button(key="dup_apply_now").disabled


def test_a_decision_without_a_reason_is_refused(ce_app, settings):
    app = decide(ce_app, "CE1", "dup_merge", "")
    assert [e.value for e in app.error] == ["a decision needs a reason"]
    assert list_decisions(settings) == []


def test_keep_separate_takes_the_cluster_out_of_the_undecided_queue(ce_app, settings):
    app = decide(ce_app, "CE6", "dup_keep", "twins")
    assert [d.action for d in list_decisions(settings)] == [DecisionAction.KEEP_SEPARATE]
    assert queue_ids(app) == ["CE3", "CE1"]
    app.run()  # and stays out on the next visit
    assert queue_ids(app) == ["CE3", "CE1"]
    app.radio(key="dup_view").set_value("Decided").run()
    assert list(app.dataframe[0].value["status"]) == ["kept separate"]
    assert list(app.dataframe[0].value["pending"]) == [
        "Keep separate recorded: applied by the next materialize."
    ]


def test_undo_brings_a_merged_cluster_back(ce_app, settings):
    app = decide(ce_app, "CE1", "dup_merge", "same person")
    app.radio(key="dup_view").set_value("Decided").run()
    app.selectbox(key="dup_cluster").select("CE1").run()
    [merge] = list_decisions(settings)
    # when it was decided, in the organisation's zone and named, as every time on the pages (not UTC)
    decided = formatting.org_time(merge.decided_at, settings.org_timezone)
    assert decided.endswith((" CST", " CDT"))
    assert f"Merged into CE1 by cora on {decided} (decision {merge.id}): same person" in [
        i.value for i in app.info
    ]
    app.text_area(key="dup_undo_reason_CE1").input("Bob is Robert's father")
    app.button(key="dup_undo").click().run()
    assert not app.exception
    merge, undo = list_decisions(settings)
    assert (undo.action, undo.undoes_decision_id, undo.reason) == (
        DecisionAction.UNDO,
        merge.id,
        "Bob is Robert's father",
    )
    assert queue_ids(app) == []  # nothing decided any more
    app.radio(key="dup_view").set_value("Undecided").run()
    assert queue_ids(app) == ["CE3", "CE1", "CE6"]
    assert [a for a, _, _ in audit_rows(settings, "ce_merge", "ce_undo")] == ["ce_merge", "ce_undo"]


def test_the_queue_export_is_one_click_built_when_pressed_and_audited_with_its_row_count(
    ce_app, settings, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = ce_app.run()
    # the queue's, then the open cluster's accounts and pairs: each table its CSV and Excel
    assert [b.label for b in app.get("download_button")] == ["Download CSV", "Download Excel"] * 3
    assert audit_rows(settings, "export") == []  # drawing the page builds no file
    lines = downloads["duplicate-queue-undecided.csv"]().decode("utf-8-sig").splitlines()  # one click
    assert len(lines) == 1 + 7
    assert audit_rows(settings, "export") == [("export", "ce duplicate queue csv", 7)]  # 3 + 2 + 2 accounts


def test_rejected_claims_filter_by_reason_and_date_and_export(ce_app, settings, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = ce_app.switch_page("views/ce_team/attendance.py").run()
    assert not app.exception
    assert titles(app) == ["Attendance claims"]
    # R4 (2 Apr), R3 (1 Apr), R2 (5 Mar), R1 (4 Mar): newest first
    assert list(app.dataframe[0].value["Event"]) == ["R4", "R3", "R2", "R1"]
    app.multiselect(key="att_reasons").select("unknown_code").select("duplicate").run()
    assert list(app.dataframe[0].value["Event"]) == ["R4", "R2"]
    app.date_input(key="att_from").set_value(dt.date(2026, 4, 1)).run()
    assert list(app.dataframe[0].value["Event"]) == ["R4"]

    # the reason reads as words and the time in the organisation's zone, named
    assert list(app.dataframe[0].value["Reason"]) == ["Already claimed"]
    assert all(t.endswith((" CST", " CDT")) for t in app.dataframe[0].value["Received"])

    downloads["rejected-claims.xlsx"]()
    downloads["rejected-claims.csv"]()
    assert audit_rows(settings, "export") == [
        ("export", "ce rejected claims xlsx", 1),
        ("export", "ce rejected claims csv", 1),
    ]
    # each distinct filter was one audited view: 4 rows, 2 after the reasons, 1 after the date
    assert audit_rows(settings, "view")[-3:] == [
        ("view", "ce rejected claims", 4),
        ("view", "ce rejected claims", 2),
        ("view", "ce rejected claims", 1),
    ]


def _chart_bars(app) -> dict[str, int]:
    import json

    import pyarrow as pa

    [chart] = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}  # whole claims only
    data = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pylist()
    return {r["x"]: r["value"] for r in data}


def test_the_attendance_chart_follows_every_filter(ce_app):
    app = ce_app.switch_page("views/ce_team/attendance.py").run()
    everything = _chart_bars(app)
    assert sum(everything.values()) == 4  # R1..R4
    app.multiselect(key="att_reasons").select("unknown_code").select("duplicate").run()
    filtered = _chart_bars(app)
    # R4 and R2 only; the axis names the reasons as the table does, not by their codes
    assert sum(filtered.values()) == 2
    assert set(filtered) <= {"Attendance code not recognised", "Already claimed"}
    app.date_input(key="att_from").set_value(dt.date(2026, 4, 1)).run()
    assert sum(_chart_bars(app).values()) == 1  # R4
    app.date_input(key="att_from").set_value(dt.date(2027, 1, 1)).run()
    assert app.get("vega_lite_chart") == [] and "No rejected claims match" in app.info[0].value


def test_credit_totals_per_year_and_date_range(ce_app, settings, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = ce_app.switch_page("views/ce_team/credit_totals.py").run()
    app.selectbox(key="credits_year").select(2026).run()
    per_year = app.dataframe[0].value
    # 2026: AMA 2.25 (CE1: 1.50 + 0.75), ANCC 1.50 (CE4 1.00 + CE6 0.50)
    assert list(zip(per_year["Credit type"], per_year["Credits"], per_year["Accounts"], strict=True)) == [
        ("AMA PRA Category 1 Credit", Decimal("2.25"), 1),  # the credit type as the AMA names it
        ("ANCC contact hours", Decimal("1.50"), 2),
    ]
    app.date_input(key="credits_from").set_value(dt.date(2026, 3, 1))
    app.date_input(key="credits_to").set_value(dt.date(2026, 3, 31)).run()
    in_range = app.dataframe[1].value
    # March 2026: A1 AMA 1.50 (4 Mar), E7 ANCC 0.50 (20 Mar)
    assert list(zip(in_range["Credit type"], in_range["Credits"], strict=True)) == [
        ("AMA PRA Category 1 Credit", Decimal("1.50")),
        ("ANCC contact hours", Decimal("0.50")),
    ]
    downloads["credit-totals-2026-03-01-2026-03-31.csv"]()
    downloads["credit-totals-2026.xlsx"]()
    assert audit_rows(settings, "export") == [
        ("export", "ce credit totals in range csv", 2),
        ("export", "ce credit totals by year xlsx", 2),
    ]


def _org_today(settings) -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(settings.org_timezone)).date()


def test_a_credit_date_outside_the_data_years_says_so_and_names_the_date_used(ce_app, settings):
    app = ce_app.switch_page("views/ce_team/credit_totals.py").run()
    first_year = min(app.selectbox(key="credits_year").options[1:], key=int)  # "All years", then the years
    app.date_input(key="credits_from").set_value(dt.date(1990, 5, 1)).run()
    today = _org_today(settings)
    assert [e.value for e in app.error] == [
        f"Completed from: 1990-05-01 is outside the allowed dates (from {first_year}-01-01 to "
        f"{today:%Y-%m-%d}); "
        f"showing {first_year}-01-01 instead."
    ]
    assert not app.exception and len(app.dataframe) == 2  # the totals of the range actually used are shown


def test_a_received_date_after_today_says_so_next_to_the_field(ce_app, settings):
    app = ce_app.switch_page("views/ce_team/attendance.py").run()
    app.date_input(key="att_to").set_value(dt.date(2100, 1, 1)).run()
    today = _org_today(settings)
    assert [e.value for e in app.error] == [
        f"Received to: 2100-01-01 is outside the allowed dates (up to {today:%Y-%m-%d}); "
        f"showing {today:%Y-%m-%d} instead."
    ]
    assert len(app.dataframe[0].value) == 4  # every claim so far (R1..R4) was received by today


def test_staff_cannot_reach_the_ce_pages(settings, signed_in_as):
    publish(settings.root)
    app = signed_in_as("pat", Role.STAFF, ("P1",))
    for view in ("ce_team/duplicates.py", "ce_team/attendance.py", "ce_team/credit_totals.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{view}")
    assert audit_rows(settings, "view", "export") == []


def test_each_pair_of_the_open_cluster_gets_its_waterfall_chart(ce_app):
    import json

    import pyarrow as pa

    charts = ce_app.get("vega_lite_chart")
    # CE3's cluster: CE3/CE4, CE3/CE5, CE4/CE5; each chart is the prior, the name's weight, then the total
    assert len(charts) == 3
    steps = [r["step"] for r in pa.ipc.open_stream(charts[0].proto.data.data).read_all().to_pylist()]
    assert steps == ["prior (any two accounts)", "name: exact", "match weight"]
    assert json.loads(charts[0].proto.spec)["encoding"]["y2"] == {"field": "end"}


def test_the_queue_shows_how_the_model_agrees_with_the_applied_decisions(settings, signed_in_as):
    decision = {
        "decided_by": "cora",
        "decided_at": dt.datetime(2026, 5, 1),
        "reason": "checked",
        "cluster_id": None,
        "undoes_decision_id": None,
        "undone_by_decision_id": None,
        "in_force": True,
    }
    decisions = [
        decision
        | {
            "decision_id": 1,
            "action": "merge",
            "survivor_account_id": "CE1",
            "merged_account_ids": ["CE2"],
            "account_ids": ["CE1", "CE2"],
        },
        decision
        | {
            "decision_id": 2,
            "action": "keep_separate",
            "survivor_account_id": None,
            "merged_account_ids": [],
            "account_ids": ["CE6", "CE7"],
        },
    ]
    publish(settings.root, decisions=decisions)
    app = signed_in_as("cora", Role.CE_TEAM)
    metrics = {m.label: m.value for m in app.metric}
    # the model links CE1/CE2 (merged) and CE6/CE7 (kept separate): precision 1 / 2, recall 1 / 1
    assert metrics == {
        "Decided pairs": "2",
        "Model precision over decisions": "50.0%",
        "Model recall over decisions": "100.0%",
    }
