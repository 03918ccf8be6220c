"""The learning bench runs end to end on a tiny warehouse (its figures are timings: only their presence is
tested)."""

from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench import learning as learning_bench
from tests.learning.builders import completion, person, requirement, staging


def test_bench_reports_the_pdf_the_excel_export_and_the_compliance_marts(tmp_path, monkeypatch):
    monkeypatch.setattr(
        learning_bench, "EXPORT_ROWS", 200
    )  # the real 100k rows belong in `portalytics bench`
    settings = Settings(data_dir=tmp_path)
    conn = open_warehouse(str(settings.warehouse_path))
    staging(
        conn=conn,
        people=[person("P1"), person("P2", "010119800002")],
        requirements=[requirement("R1"), requirement("R2", recurrence_months=12)],
        completions=[completion()],
    )
    conn.close()
    figures = learning_bench.bench(BenchContext(settings, "tiny", Console(quiet=True)))
    names = [f.name for f in figures]
    assert names == [
        "transcript PDF, 500 items",
        "overdue list to Excel, 200 rows",
        "compliance marts (2 people, 4 rows)",  # 2 people × 2 requirements
    ]
    assert all(f.baseline and f.baseline > 0 for f in figures)


def test_bench_without_a_warehouse_still_reports_the_exports(tmp_path, monkeypatch):
    monkeypatch.setattr(learning_bench, "EXPORT_ROWS", 200)
    figures = learning_bench.bench(BenchContext(Settings(data_dir=tmp_path), "tiny", Console(quiet=True)))
    assert [f.name for f in figures] == ["transcript PDF, 500 items", "overdue list to Excel, 200 rows"]
