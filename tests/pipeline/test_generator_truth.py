"""The ingest finds exactly what the generator planted: every bad row with its reason, every rejected file."""

import csv

import pytest

from domain.settings import Settings
from pipelines.generator.run import generate_all
from tests.pipeline.harness import query, run_ingest


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("gen") / "data")
    generate_all(settings, "tiny", 7)
    assert run_ingest(settings).success
    return settings


def _truth(settings: Settings, name: str) -> list[dict]:
    with (settings.truth_dir / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_quarantined_rows_are_exactly_the_planted_bad_rows(generated):
    planted = {
        (r["source"], r["file_name"], int(r["row_number"]), r["reason"])
        for r in _truth(generated, "bad_rows.csv")
    }
    found = set(query(generated, "SELECT source, file_name, row_number, reason FROM marts.quarantine"))
    assert planted  # the generator plants bad rows at every scale
    assert found == planted


def test_rejected_files_are_exactly_the_planted_ones(generated):
    planted = {(r["source"], r["file_name"], r["reason"]) for r in _truth(generated, "rejected_files.csv")}
    found = set(
        query(
            generated, "SELECT source, file_name, reason FROM marts.ingest_ledger WHERE status = 'rejected'"
        )
    )
    assert found == planted


def test_relanded_copies_are_recorded_as_duplicates_of_the_original(generated):
    planted = {(r["source"], r["file_name"]) for r in _truth(generated, "relanded_files.csv")}
    found = set(
        query(generated, "SELECT source, file_name FROM marts.ingest_ledger WHERE status = 'duplicate'")
    )
    assert found == planted


LOOKS_LIKE = {
    "formula": lambda v: v[:1] in ("=", "+", "-", "@"),
    "non_ascii": lambda v: not v.isascii(),
    "sql": lambda v: "'" in v or ";" in v,
}


def test_tricky_values_load_verbatim(generated):
    """Non-ASCII, formula- and SQL-looking values the generator planted in good rows are in staging as
    landed."""
    tricky = _truth(generated, "tricky_values.csv")
    found = 0
    for row in tricky:
        hits = query(
            generated,
            f'SELECT "{row["column"]}" FROM staging.{row["source"]} WHERE _file_name = ? AND _row_number = ?',
            [row["file_name"], int(row["row_number"])],
        )
        if hits:  # absent only when a later file's row with the same key replaced it
            found += 1
            assert LOOKS_LIKE[row["kind"]](hits[0][0]), (row, hits[0][0])
    assert found >= len(tricky) * 3 // 4  # most planted values survive (tiny seed 7: 23 of 25)
