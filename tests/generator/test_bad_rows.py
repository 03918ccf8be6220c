"""The planted bad rows are exactly what a contract-order validator quarantines, with exactly the planted
reason."""

from __future__ import annotations

import json
from collections import Counter

from domain.contracts import SOURCES, Reason
from pipelines.generator.messiness import defects_for

from .landing_reader import quarantine, read_rows, read_truth
from .test_files import landed_files


def test_validator_quarantines_exactly_the_planted_rows_with_the_planted_reason(tiny):
    planted = {
        (r["source"], r["file_name"], int(r["row_number"])): r["reason"]
        for r in read_truth(tiny.truth_dir, "bad_rows.csv")
    }
    relanded = {(r["source"], r["file_name"]) for r in read_truth(tiny.truth_dir, "relanded_files.csv")}
    found = {}
    for src, path in landed_files(tiny):
        if (src.name, path.name) in relanded:
            continue
        _, rows = read_rows(path)
        for n, reason in quarantine(src, rows):
            found[(src.name, path.name, n)] = reason.value
    assert found == planted


def test_every_source_carries_each_defect_its_columns_allow(tiny):
    by_source = json.loads((tiny.truth_dir / "planted.json").read_text())["bad_rows_by_source"]
    for src in SOURCES:
        expected = {d.reason.value for d in defects_for(src)}
        assert set(by_source[src.name]) == expected, src.name
    # hand-checked examples: claims can go negative, activities have a 5-digit code, jsonl can be cut short
    assert by_source["hp_claims"]["negative_money"] == 1
    assert by_source["ce_activities"]["bad_code"] == 1
    assert by_source["auth_events"]["malformed_json"] == 1
    assert by_source["hp_plans"]["out_of_range"] == 1  # coinsurance above 1
    every_reason = {r for counts in by_source.values() for r in counts}
    # wrong JSON types are tried by the hand-built hostile-file catalogue (tests/pipeline/hostile_files.py),
    # not planted: the generated data set stays the same for every other suite
    assert every_reason == {r.value for r in Reason} - {Reason.WRONG_JSON_TYPE.value}


def test_bad_rows_are_counted_once_per_kind_at_tiny_and_twice_for_big_sources_at_small(tiny, small):
    tiny_counts = Counter(r["source"] for r in read_truth(tiny.truth_dir, "bad_rows.csv"))
    small_counts = Counter(r["source"] for r in read_truth(small.truth_dir, "bad_rows.csv"))
    # hp_claims: 11 kinds (missing, int, decimal, date, ts, enum, npi, negative money, too long, duplicate
    # key, stray field)
    assert tiny_counts["hp_claims"] == 11 and small_counts["hp_claims"] == 22
    # hp_plans is a 20-row reference table: one of each of its 10 kinds at every scale
    assert tiny_counts["hp_plans"] == small_counts["hp_plans"] == 10


def test_truncated_json_lines_are_listed_and_every_other_line_parses(tiny):
    planted = {
        (r["file_name"], int(r["row_number"]))
        for r in read_truth(tiny.truth_dir, "bad_rows.csv")
        if r["reason"] == "malformed_json"
    }
    cut = set()
    for src in SOURCES:
        if src.formats[0] != "jsonl":
            continue
        for path in (tiny.landing_dir / src.name).iterdir():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                try:
                    json.loads(line)
                except json.JSONDecodeError:
                    cut.add((path.name, n))
    assert cut == planted and len(cut) == 2  # one in ce_attendance, one in auth_events
