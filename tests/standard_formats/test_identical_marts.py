"""The same world landed as X12 834 + FHIR EOB + xAPI builds exactly the marts its CSV landing builds."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.generator.run import generate_all
from pipelines.materialize import run_materialize

AS_OF = "2026-10-31"
#: The ingest state differs by construction (other folders, other files, units instead of rows).
INGEST_STATE = {"ingest_ledger", "quarantine"}
CONVERTED = {"hp_members", "hp_enrollment", "hp_claims", "lc_completions"}


def _build(root, formats: str) -> Settings:
    settings = Settings(data_dir=root)
    quiet = Console(file=io.StringIO(), width=120)
    generate_all(settings, "tiny", 11, console=quiet, formats=formats)
    assert run_materialize(settings, AS_OF, console=quiet, full=True) == 0
    return settings


def _marts(settings: Settings) -> dict[str, list[tuple]]:
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        return {
            n: sorted(conn.execute(f"SELECT * FROM marts.{n}").fetchall(), key=repr)
            for n in names
            if n not in INGEST_STATE
        }


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    csv = _build(tmp_path_factory.mktemp("csv") / "data", "csv")
    standard = _build(tmp_path_factory.mktemp("standard") / "data", "standard")
    return _marts(csv), _marts(standard), standard, csv


def test_the_standard_landing_holds_no_csv_of_the_converted_sources(both):
    _, _, standard, _ = both
    landing = {p.name for p in standard.landing_dir.iterdir()}
    assert {"x12_834", "fhir_eob", "xapi"} <= landing
    assert not landing & {"hp_members", "hp_enrollment", "hp_claims", "lc_completions"}


def test_every_mart_is_identical(both):
    from_csv, from_standard, *_ = both
    assert set(from_csv) == set(from_standard)
    assert len(from_csv) > 20
    different = [name for name in from_csv if from_csv[name] != from_standard[name]]
    assert different == []
    assert sum(len(rows) for rows in from_standard.values()) > 1000


def test_every_other_source_is_byte_identical_to_the_csv_landing(both):
    _, _, standard, csv = both
    untouched = sorted(p for p in csv.landing_dir.rglob("*") if p.is_file() and p.parts[-2] not in CONVERTED)
    assert len(untouched) > 20
    for path in untouched:
        twin = standard.landing_dir / path.relative_to(csv.landing_dir)
        assert twin.read_bytes() == path.read_bytes(), path.name


def test_the_standard_files_loaded_without_quarantine(both):
    _, _, standard, _ = both
    with open_warehouse(str(standard.warehouse_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "FROM marts.ingest_ledger WHERE source IN ('x12_834', 'fhir_eob', 'xapi') GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == ["fhir_eob", "x12_834", "xapi"]
    for source, files, read, loaded, quarantined in rows:
        assert files > 1 and read == loaded and quarantined == 0, source
