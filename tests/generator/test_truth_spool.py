"""Attendance outcomes (one per claim: 4M at large) are spooled to a file, not kept in a list, and come out
in the truth folder exactly as recorded."""

from __future__ import annotations

import csv
import json

from pipelines.generator.truth import Truth


def test_recorded_outcomes_come_out_in_order_with_their_counts(tmp_path):
    truth = Truth()
    for event_id, outcome in (
        ("ATT00000001", "accepted"),
        ("ATT00000002", "duplicate"),
        ("ATT00000003", "accepted"),
    ):
        truth.attendance_outcome(event_id, outcome)
    truth.write(tmp_path)
    with (tmp_path / "attendance_outcomes.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["event_id", "outcome"],
        ["ATT00000001", "accepted"],
        ["ATT00000002", "duplicate"],
        ["ATT00000003", "accepted"],
    ]
    planted = json.loads((tmp_path / "planted.json").read_text())
    assert planted["attendance_outcomes"] == {"accepted": 2, "duplicate": 1}


def test_no_outcomes_still_writes_the_header(tmp_path):
    Truth().write(tmp_path)
    assert (tmp_path / "attendance_outcomes.csv").read_text() == "event_id,outcome\n"
    assert json.loads((tmp_path / "planted.json").read_text())["attendance_outcomes"] == {}
