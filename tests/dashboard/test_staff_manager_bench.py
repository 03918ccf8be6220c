"""The dashboard bench runs every role's main page on a small snapshot (only its shape is tested: timings
belong in `portalytics bench`), choosing the heaviest scope the snapshot offers."""

import ast
from pathlib import Path

import duckdb
from rich.console import Console

from pipelines.bench import BenchContext
from pipelines.bench import dashboard as dashboard_bench
from reports.principal import Role
from tests.ce.duplicates import snapshot as ce_snapshot
from tests.dashboard.published_marts import publish_snapshot
from tests.health_plan.dashboard import plan_snapshot

APP = Path(__file__).parents[2] / "dashboard" / "app.py"


def landing_pages() -> dict[str, str]:
    """Role value -> the first view file of ROLE_PAGES in dashboard/app.py (read from the source: the app runs
    Streamlit when imported)."""
    tree = ast.parse(APP.read_text())
    [table] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "ROLE_PAGES"
    ]
    return {
        Role[key.attr].value: value.elts[1].elts[0].elts[0].value
        for key, value in zip(table.keys, table.values, strict=True)
    }


def test_every_role_has_one_bench_row_on_its_landing_page():
    rows = {page.role.value: page.view for page in dashboard_bench.PAGES}
    assert len(rows) == len(dashboard_bench.PAGES)  # one row per role
    assert set(rows) == {role.value for role in Role}
    assert rows == landing_pages()


def test_scope_pickers_choose_the_heaviest_scope_in_the_snapshot(settings, tmp_path):
    plan_snapshot.publish_snapshot(settings)
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as conn:
        # Acme E1 has 3 members (S1, S1D, S3), Globex E2 one (S2).
        assert dashboard_bench.biggest_employer(conn) == ("E1",)
        # Priced lines: S1's family C1 + C2 = 2 and S2's A5 + C4 = 2 (C3 reversed, C6 unpriced): a tie, the
        # lower id wins; S3 has 1.
        assert dashboard_bench.busiest_subscriber(conn) == ("S1",)
        # NPI_A billed C1, C3, C5, C6, C8 = 5 claims; NPI_B C2, C4 = 2.
        assert dashboard_bench.busiest_provider(conn) == (plan_snapshot.NPI_A,)
        assert dashboard_bench.security_findings(conn) == ()  # admins have no scope value
        # no CE marts in a health-plan snapshot: the page is skipped, not failed
        assert dashboard_bench.duplicate_queue(conn) is None
        assert dashboard_bench.busiest_transcript(conn) is None
    ce_path = tmp_path / "ce.duckdb"
    ce_snapshot.write_snapshot(ce_path)
    with duckdb.connect(str(ce_path), read_only=True) as conn:
        assert dashboard_bench.duplicate_queue(conn) == ()  # the CE team sees the whole queue


def test_bench_times_each_roles_main_page_against_an_empty_page_without_touching_the_state_store(settings):
    publish_snapshot(settings)
    figures = dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3)
    # the other roles' marts are not in this snapshot: their pages are skipped
    assert [f.name for f in figures] == [
        "staff main page (staff/transcript.py), p95",
        "education_manager main page (education_manager/compliance.py), p95",
    ]
    assert all(f.unit == "ms" and f.value > 0 and f.baseline > 0 for f in figures)
    # its throw-away users and their page views went to a temporary store
    assert not (settings.root / "state.sqlite").exists()


def test_bench_times_the_plan_and_admin_pages_on_a_health_plan_snapshot(settings):
    plan_snapshot.publish_snapshot(settings)
    figures = dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3)
    assert [f.name for f in figures] == [
        "employer main page (employer/roster.py), p95",
        "member main page (member/deductible.py), p95",
        "provider main page (provider/eligibility.py), p95",
        "admin main page (admin/security.py), p95",
    ]
    assert all(f.value > 0 and f.baseline > 0 for f in figures)
    assert not (settings.root / "state.sqlite").exists()


def test_bench_times_the_duplicate_queue_on_a_ce_snapshot(settings):
    ce_snapshot.publish(settings.root)
    figures = dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3)
    assert [f.name for f in figures] == ["ce_team main page (ce_team/duplicates.py), p95"]
    # the bench only reads the queue: no decision and no audit row reaches the real store
    assert not (settings.root / "state.sqlite").exists()


def test_bench_without_a_published_snapshot_reports_nothing(settings):
    assert dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3) == []
