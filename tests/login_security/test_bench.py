"""The auth_events bench runs on a small synthetic warehouse and reports its figures (values are not
judged)."""

from __future__ import annotations

from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench.auth_events import bench
from tests.login_security.synthetic import synthetic_auth_events


def test_bench_reports_the_full_build_and_one_more_day(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        synthetic_auth_events(conn, 20_000)
    figures = bench(BenchContext(settings, "tiny", Console(quiet=True)))

    assert [f.name for f in figures] == [
        "login-security marts, full build",
        "login-security marts rate",
        "one more day (20,030 events): marts rebuilt",  # fewer than 50k events: all of them, shifted
    ]
    assert all(f.value > 0 for f in figures)
    assert figures[0].baseline and figures[2].baseline == figures[0].value
    # The planted burst and the hammered account are found.
    assert "credential_stuffing 1" in figures[0].notes and "login_lockouts 0" not in figures[0].notes
    # The warehouse is only read: no marts were written into it (nor into its marts file).
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        marts = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()
    assert marts == [(0,)]


def test_bench_without_a_warehouse_says_so_and_reports_nothing(tmp_path):
    assert bench(BenchContext(Settings(data_dir=tmp_path), "tiny", Console(quiet=True))) == []
