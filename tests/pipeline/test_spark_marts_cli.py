"""``portalytics spark-marts`` refuses plainly before starting Spark: a bad date, no warehouse yet."""

from typer.testing import CliRunner

from pipelines.cli import app


def test_a_bad_as_of_date_and_a_missing_warehouse_are_plain_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    bad_date = runner.invoke(app, ["spark-marts", "--as-of", "2026-13-01"])
    assert bad_date.exit_code == 2 and "--as-of must be a date YYYY-MM-DD" in bad_date.output
    nothing = runner.invoke(app, ["spark-marts", "--as-of", "2026-06-30"])
    assert nothing.exit_code == 1
    assert "does not exist: run `portalytics materialize` first" in " ".join(nothing.output.split())


def test_the_marts_left_on_duckdb_are_named_with_the_reason(tmp_path, monkeypatch):
    """What a run prints besides the marts it built: each mart not built on Spark and why (Spark itself is
    stood in for: tests/spark/ runs it)."""
    import pipelines.spark_marts as spark_marts

    class Session:
        def stop(self):
            pass

    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(spark_marts, "export_staging", lambda settings, into: {})
    monkeypatch.setattr(spark_marts, "spark_session", lambda master, work: Session())
    built = {m: 3 for m in spark_marts.BUILT_ON_SPARK if m != "plan_providers"}
    monkeypatch.setattr(spark_marts, "build_on_spark", lambda *args, **kwargs: built)
    result = CliRunner().invoke(app, ["spark-marts", "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum("rows →" in line for line in lines) == len(built)
    assert "person_links: not built on Spark: one person across all four portals" in result.output
    assert "ingest_ledger: not built on Spark: ingest stays on DuckDB" in result.output
    assert "plan_providers: not built on Spark: an input it needs is not in the warehouse" in result.output
    assert sum("not built on Spark" in line for line in lines) == len(spark_marts.EXCLUDED) + 1
