"""Every file parses as its format and carries every contract column; whole-file problems are as recorded."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from domain.contracts import SOURCES, FileReason

from .landing_reader import decode, read_rows, read_truth


def landed_files(settings):
    rejected = {(r["source"], r["file_name"]) for r in read_truth(settings.truth_dir, "rejected_files.csv")}
    for src in SOURCES:
        for path in sorted((settings.landing_dir / src.name).iterdir()):
            if (src.name, path.name) not in rejected:
                yield src, path


def test_every_source_has_files_in_its_first_format(tiny):
    for src in SOURCES:
        extensions = {p.suffix.lstrip(".") for p in (tiny.landing_dir / src.name).iterdir()}
        assert src.formats[0] in extensions, src.name
        assert extensions <= set(src.formats), src.name


def test_every_loadable_file_parses_and_has_every_contract_column(tiny):
    checked = 0
    for src, path in landed_files(tiny):
        header, rows = read_rows(path)
        if path.suffix == ".jsonl":
            # every line that parses has every contract key (null when empty)
            assert all(set(src.column_names) <= set(r) for r in rows if isinstance(r, dict)), path.name
        else:
            assert set(src.column_names) <= set(header), path.name
        checked += 1
    assert checked >= 70  # 81 files at tiny minus the 4 rejected


def test_big_sources_are_split_so_a_later_run_can_land_one_more_file(tiny):
    def count(name):
        return len(list((tiny.landing_dir / name).iterdir()))

    assert (
        count("hp_claims") == 36 + 1
    )  # Nov 2023 .. Oct 2026 by processing month, plus the empty resubmission
    assert count("auth_events") == 14  # 98 days in 7-day files
    assert count("lc_completions") == 4  # one per year 2023..2026


def test_rejected_files_fail_for_the_recorded_reason(tiny):
    rejected = read_truth(tiny.truth_dir, "rejected_files.csv")
    assert sorted(r["reason"] for r in rejected) == sorted(
        [FileReason.EMPTY_FILE, FileReason.MISSING_COLUMNS, FileReason.MISSING_COLUMNS, FileReason.UNREADABLE]
    )
    for r in rejected:
        path = tiny.landing_dir / r["source"] / r["file_name"]
        src = next(s for s in SOURCES if s.name == r["source"])
        if r["reason"] == FileReason.EMPTY_FILE:
            assert path.stat().st_size == 0
        elif r["reason"] == FileReason.UNREADABLE:
            with pytest.raises(zipfile.BadZipFile):
                load_workbook(path)
        else:
            header = next(csv.reader(io.StringIO(decode(path.read_bytes()))))
            missing = set(src.column_names) - set(header)
            assert missing, path.name
            if "eu_export" in path.name:  # semicolons: one unknown header column holding them all
                assert len(header) == 1 and ";" in header[0]
            else:
                assert missing == {"coverage_tier"}


def test_relanded_file_is_byte_identical_to_its_original(tiny):
    (row,) = read_truth(tiny.truth_dir, "relanded_files.csv")
    folder = tiny.landing_dir / row["source"]
    assert (folder / row["file_name"]).read_bytes() == (folder / row["same_as"]).read_bytes()
    bad_files = {r["file_name"] for r in read_truth(tiny.truth_dir, "bad_rows.csv")}
    assert row["same_as"] not in bad_files  # loaded once, whichever name wins: no bad rows to double-count


def test_header_only_file_has_a_header_and_no_rows(tiny):
    path = tiny.landing_dir / "hp_enrollment" / "enrollment_changes_2026-10-31.csv"
    header, rows = read_rows(path)
    assert header[:2] == ["member_id", "plan_id"] and rows == []


def test_encodings_latin1_and_bom_are_real(tiny):
    roster = tiny.landing_dir / "lc_people"
    with pytest.raises(UnicodeDecodeError):
        (roster / "hr_roster_update_2026-10-31.csv").read_bytes().decode("utf-8")
    update = (roster / "hr_roster_update_2026-10-31.csv").read_bytes().decode("latin-1")
    assert "Nguyen" in update and "Nguyễn" not in update  # folded: latin-1 cannot hold ễ
    assert (roster / "hr_roster_2026-09-30.csv").read_bytes().startswith(b"\xef\xbb\xbfperson_id,")


def test_extra_unknown_columns_are_present_but_contract_columns_come_through(tiny):
    header, rows = read_rows(tiny.landing_dir / "lc_people" / "hr_roster_2026-09-30.csv")
    assert {"badge_number", "cost_center"} <= set(header)
    header, _ = read_rows(tiny.landing_dir / "hp_providers" / "providers.csv")
    assert header.index("taxonomy_code") == 3  # in the middle, not only appended


def test_xlsx_formula_looking_names_are_text_and_workbook_dates_are_fixed(tiny):
    path = tiny.landing_dir / "ce_accounts" / "ce_accounts_export_2026-09-30.xlsx"
    wb = load_workbook(path)
    assert wb.properties.created.year == 2026 and wb.properties.modified == wb.properties.created
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == '=HYPERLINK("x")' for c in cells)
    assert all(c.data_type == "s" for c in cells)  # nothing became a formula
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 10, 31, 0, 0, 0)}
