"""Incremental runs: which assets and checks a materialize selects, and why (no Dagster run here)."""

import inspect

import dagster as dg
import pytest

from assets.warehouse import open_warehouse
from checks.ingest_tables import ensure_ingest_tables
from domain.contracts import SOURCES
from domain.settings import Settings
from pipelines import incremental
from pipelines.definitions import MATERIALIZE_ALL, build_definitions, load_assets
from tests.pipeline.harness import header, land
from tests.support import create_staging_table

AS_OF = "2026-03-01"
DECISIONS = "0:0"
CODE = "code-1"


@pytest.fixture(scope="module")
def graph():
    return (
        build_definitions(Settings(data_dir="unused"))
        .resolve_job_def(MATERIALIZE_ALL)
        .asset_layer.asset_graph
    )


@pytest.fixture
def built(settings):
    """A warehouse a previous run has finished: every staging table exists, the run state is recorded."""
    settings.root.mkdir(parents=True)
    conn = open_warehouse(str(settings.warehouse_path))
    for s in SOURCES:
        create_staging_table(conn, s.name)
    plan = incremental.Plan(
        frozenset(), frozenset(), False, state={"as_of": AS_OF, "decisions": DECISIONS, "code": CODE}
    )
    incremental.record_start(conn, plan)
    yield conn
    conn.close()


def _plan(conn, graph, settings, as_of=AS_OF, decisions=DECISIONS, code=CODE):
    return incremental.plan_run(conn, graph, settings, as_of, decisions, code)


def _names(keys) -> set[str]:
    return {k.to_user_string() for k in keys}


def _checks(keys) -> set[str]:
    return {f"{k.asset_key.to_user_string()}:{k.name}" for k in keys}


def test_a_first_run_on_an_empty_warehouse_selects_every_asset_and_check(settings, graph):
    settings.root.mkdir(parents=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        plan = _plan(conn, graph, settings)
    assert plan.full and plan.reasons == ["first run on this warehouse"]
    assert plan.assets == graph.get_all_asset_keys()
    assert plan.checks == graph.asset_check_keys


def test_nothing_new_selects_nothing(settings, graph, built):
    plan = _plan(built, graph, settings)
    assert plan.empty and not plan.full


def test_a_new_auth_events_file_selects_its_staging_table_the_login_marts_the_ledger_and_publish(
    settings, graph, built
):
    land(settings, "auth_events", "day.jsonl", '{"event_id": "e1"}\n')
    plan = _plan(built, graph, settings)
    assert plan.reasons == ["new files: auth_events (1)"]
    assert _names(plan.assets) == {
        "staging/auth_events",
        "marts/login_lockouts",
        "marts/reset_outcomes",
        "marts/reset_loops",
        "marts/credential_stuffing",
        "marts/login_daily_summary",
        "marts/ingest_ledger",
        "marts/quarantine",
        # new user names may link to people, and the findings read the links
        "marts/person_links",
        "marts/person_link_review",
        "marts/leaving_sso_only",
        "marts/plan_hr_mismatches",
        "marts/cross_portal_attacks",
        "published/snapshot",
        "reminders/sent",
    }
    assert _checks(plan.checks) == {"staging/auth_events:reconciliation", "staging/auth_events:expectations"}


def test_new_members_also_rerun_the_reference_checks_of_the_tables_pointing_at_members(
    settings, graph, built
):
    land(settings, "hp_members", "m.csv", f"{header('hp_members')}\nM1,M1,self,Ana,Diaz,1980-04-01,F,E1\n")
    plan = _plan(built, graph, settings)
    assert "staging/hp_claims" not in _names(plan.assets)
    assert {"staging/hp_claims:references", "staging/hp_enrollment:references"} <= _checks(plan.checks)
    assert "staging/hp_claims:expectations" not in _checks(plan.checks)


def test_a_file_already_in_the_ledger_is_not_new(settings, graph, built):
    path = land(settings, "hp_employers", "e.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    stat = path.stat()
    ensure_ingest_tables(built)
    built.execute(
        "INSERT INTO ingest.ledger VALUES ('hp_employers', 'e.csv', 'abc', ?, ?, 'loaded', NULL, NULL, "
        "'utf-8', "
        "1, 1, 0, now())",
        [stat.st_size, stat.st_mtime_ns],
    )
    assert _plan(built, graph, settings).empty


def test_a_new_as_of_date_selects_the_as_of_marts_and_what_is_built_from_them(settings, graph, built):
    plan = _plan(built, graph, settings, as_of="2026-03-02")
    assert plan.reasons == ["as-of 2026-03-01 → 2026-03-02"]
    assert _names(plan.assets) == {
        "marts/ce_certificates",
        "marts/compliance_status",
        "marts/compliance_by_department",
        "marts/compliance_by_job_role",
        "marts/compliance_by_manager",
        "marts/lc_transcript_items",
        "marts/transcript_items",
        "published/snapshot",
        "reminders/sent",  # what follows publish runs with it
    }


def test_new_ce_decisions_select_the_merge_marts_duplicates_and_the_ce_marts_crediting_survivors(
    settings, graph, built
):
    plan = _plan(built, graph, settings, decisions="1:1")
    assert plan.reasons == ["new CE merge decisions"]
    names = _names(plan.assets)
    assert {
        "marts/ce_merge_decisions",
        "marts/ce_account_survivors",
        "marts/duplicate_account_pairs",
        "marts/duplicate_account_clusters",
        "marts/ce_credit_totals",
        "marts/transcript_items",
        "published/snapshot",
    } <= names
    assert not any(n.startswith("staging/") or "login" in n or "claim" in n for n in names)


def test_assets_left_pending_by_an_unfinished_run_are_selected_again(settings, graph, built):
    plan = incremental.Plan(frozenset({dg.AssetKey(["marts", "plan_years"])}), frozenset(), False)
    incremental.record_start(built, plan)  # ...and the process died: record_success never ran
    again = _plan(built, graph, settings)
    assert _names(again.assets) == {"marts/plan_years", "published/snapshot", "reminders/sent"}
    incremental.record_success(built)
    assert _plan(built, graph, settings).empty


def test_new_code_runs_everything(settings, graph, built):
    plan = _plan(built, graph, settings, code="code-2")
    assert plan.full and plan.assets == graph.get_all_asset_keys()


def test_the_as_of_and_decision_lists_name_exactly_the_assets_reading_them():
    """Guards the hand-kept lists: an asset that starts reading the as-of date or the decisions must be
    listed."""
    reads_as_of, reads_decisions = set(), set()
    for a in load_assets():
        source = inspect.getsource(a.op.compute_fn.decorated_fn)
        if "as_of" in source:
            reads_as_of |= set(a.keys)
        if "list_decisions" in source or "reports.state" in source:
            reads_decisions |= set(a.keys)
    assert reads_as_of == incremental.AS_OF_ASSETS
    assert reads_decisions == incremental.DECISION_ASSETS
