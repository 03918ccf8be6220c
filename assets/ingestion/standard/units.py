"""What a standard-format reader hands the loader: *units* (an 834 member loop, one EOB, one xAPI statement).

A unit is the smallest thing that is loaded or quarantined whole: an EOB with one bad line is quarantined with
all its lines, never half loaded. A file reconciles in units: read = loaded + quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

Row = dict[str, str | None]


class StandardReason(StrEnum):
    """Quarantine reasons of the standard formats (beside the contract's own, e.g. ``bad_npi``)."""

    BAD_SEGMENT = (
        "bad_segment"  # pyx12 found a segment or element the 834 implementation guide does not allow
    )
    MISSING_LOOP = (
        "missing_loop"  # a loop the implementation guide requires is absent (e.g. 2100A member name)
    )
    MISSING_SEGMENT = (
        "missing_segment"  # a segment or element the mapping needs is absent (e.g. DTP*348 on an add)
    )
    BAD_ENVELOPE = "bad_envelope"  # ISA/IEA, GS/GE or ST/SE counts or control numbers disagree
    TRUNCATED_INTERCHANGE = "truncated_interchange"  # the file ends before its trailers
    UNKNOWN_COVERAGE_LEVEL = "unknown_coverage_level"  # HD05 outside EMP/ESP/ECH/FAM (and IND)
    UNKNOWN_MEMBER = "unknown_member"  # a change/term/reinstatement for a member without coverage
    NOT_A_RESOURCE = "not_a_resource"  # JSON that is not a FHIR resource (no resourceType) or another type
    BAD_RESOURCE = "bad_resource"  # an ExplanationOfBenefit that fails the FHIR R4 model
    MISSING_PATIENT = "missing_patient"  # an EOB without a patient reference
    BAD_STATEMENT = "bad_statement"  # an xAPI statement that fails the 1.0.3 structure
    MISSING_ACTOR = "missing_actor"  # an xAPI statement without an actor
    UNKNOWN_VERB = "unknown_verb"  # a verb that says nothing about completion (e.g. "experienced")
    UNKNOWN_ACTOR = "unknown_actor"  # an actor without an LC account (the lc_user_id)


@dataclass
class Unit:
    number: int  # line number (NDJSON, xAPI) or the segment number of the INS segment (834)
    raw: str  # the unit as landed (the JSON line, or the loop's segments)
    rows: dict[str, list[Row]] = field(default_factory=dict)  # target source -> contract rows (text)
    reason: str | None = None  # set: quarantined before the contract rules see it
    column: str | None = None  # the field that failed (e.g. "HD05", "patient", "verb")
    payload: object = None  # reader-specific, e.g. the 834 maintenance to apply

    def fail(self, reason: str, column: str | None) -> Unit:
        self.reason, self.column = str(reason), column
        self.rows = {}
        return self


def json_line_units(path: Path, unit_of: Callable[[int, str], Unit]) -> list[Unit]:
    """A unit per non-blank line of a JSON-lines file (bulk-export NDJSON, xAPI statements), numbered by line;
    bytes that are not UTF-8 are replaced, so the line is quarantined by its reader rather than the file
    lost."""
    units = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            text = line.rstrip("\r\n")
            if text.strip():
                units.append(unit_of(number, text))
    return units
