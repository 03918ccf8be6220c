"""`portalytics export pars|ce-broker` on the hand-built world published as a snapshot."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from reports import audit
from reports.principal import Principal, Role
from reports.state import dispose_engines
from tests.ce.uploads.world import publish

ADMIN = Principal("root", Role.ADMIN)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    publish(tmp_path)
    yield tmp_path
    dispose_engines()


def test_export_pars_writes_the_upload_and_its_error_file_and_audits_it(data_dir):
    from domain.settings import Settings

    out = data_dir / "out" / "pars-2026.txt"
    result = CliRunner().invoke(app, ["export", "pars", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[0] == "Activity ID"
    assert [line.split("\t")[2] for line in lines[1:]] == ["Nguyen", "Smith"]
    errors = list(csv.reader(io.StringIO((data_dir / "out" / "pars-2026.errors.csv").read_text("utf-8-sig"))))
    assert [e[0] for e in errors[1:]] == ["N2", "N3", "M1", "R1"]
    assert "2 rows" in result.output and "4 rows would be rejected" in result.output
    rows = audit.read(Settings(), ADMIN, actions=["export"])
    assert [(r.actor, r.target, r.row_count) for r in rows] == [("cli", "pars learner upload 2026", 2)]


def test_export_ce_broker_writes_excel_with_the_provider_number_from_the_settings(data_dir, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_CE_BROKER_PROVIDER_NUMBER", "987654")
    out = data_dir / "roster.xlsx"
    errors = data_dir / "roster-problems.csv"
    args = ["export", "ce-broker", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert [(r[0], r[4], r[7]) for r in rows] == [
        ("987654", "036.123456", "Profession=MD"),
        ("987654", "041.000111", "Profession=RN"),
        ("987654", "041.654321", "Profession=RN"),
    ]
    assert errors.read_text("utf-8-sig").splitlines()[1].startswith("R1,ACT2,ACPE,2026-05-12,")


def test_export_commands_refuse_bad_arguments_with_a_reason(data_dir):
    runner = CliRunner()
    bad_date = runner.invoke(app, ["export", "ce-broker", "--from", "2026-13-01", "--to", "2026-12-31",
                                   "--out", str(data_dir / "r.xlsx")])  # fmt: skip
    assert bad_date.exit_code == 2 and "must be dates YYYY-MM-DD" in bad_date.output
    reversed_range = runner.invoke(app, ["export", "ce-broker", "--from", "2026-12-31", "--to", "2026-01-01",
                                         "--out", str(data_dir / "r.xlsx")])  # fmt: skip
    assert reversed_range.exit_code == 2 and "is after" in reversed_range.output
    bad_kind = runner.invoke(app, ["export", "ce-broker", "--from", "2026-01-01", "--to", "2026-12-31",
                                   "--out", str(data_dir / "r.pdf")])  # fmt: skip
    assert bad_kind.exit_code == 2 and ".xlsx" in bad_kind.output
    assert not (data_dir / "r.pdf").exists()
    bad_year = runner.invoke(app, ["export", "pars", "--year", "0", "--out", str(data_dir / "p.txt")])
    assert bad_year.exit_code == 2 and "calendar year" in bad_year.output


def test_export_says_so_when_nothing_is_published(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["export", "pars", "--year", "2026", "--out", str(tmp_path / "p.txt")])
    assert result.exit_code == 1 and "portalytics materialize" in result.output
    dispose_engines()
