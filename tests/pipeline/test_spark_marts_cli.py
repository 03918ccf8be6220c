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
