"""The dashboard bench runs the staff and manager main pages on a small snapshot (only its shape is tested:
timings belong in `portalytics bench`)."""

from rich.console import Console

from pipelines.bench import BenchContext
from pipelines.bench import dashboard as dashboard_bench
from tests.dashboard.published_marts import publish_snapshot


def test_bench_times_each_roles_main_page_against_an_empty_page_without_touching_the_state_store(settings):
    publish_snapshot(settings)
    figures = dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3)
    assert [f.name for f in figures] == [
        "staff main page (staff_transcript.py), p95",
        "education_manager main page (compliance.py), p95",
    ]
    assert all(f.unit == "ms" and f.value > 0 and f.baseline > 0 for f in figures)
    # its throw-away users and their page views went to a temporary store
    assert not (settings.root / "state.sqlite").exists()


def test_bench_without_a_published_snapshot_reports_nothing(settings):
    assert dashboard_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)), runs=3) == []
