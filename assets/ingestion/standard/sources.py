"""The standard-format landing folders: which reader parses them and which staging tables they feed."""

from __future__ import annotations

import datetime as dt

from assets.ingestion.load import staging_table
from assets.ingestion.standard.fhir_eob import read_eob_ndjson
from assets.ingestion.standard.load import LINEAGE_FILE, LINEAGE_UNIT, StandardSource
from assets.ingestion.standard.units import Row, StandardReason, Unit
from assets.ingestion.standard.x12_834 import maintenance_of, read_834
from assets.ingestion.standard.xapi import read_xapi_lines
from domain.contracts import source
from domain.health_plan.enrollment import EnrollmentSpan
from domain.health_plan.enrollment_834 import EnrollmentBook, UnknownMember


def resolve_834(conn, files: list[tuple[str, list[Unit]]]) -> dict[str, list[Row]]:
    """Apply the files' maintenance in file order to the spans staging holds for their members.

    Member rows: the last transaction of a member describes it. Spans: those the maintenance added or changed.
    A transaction that needs coverage the member does not have is refused as ``unknown_member``.
    """
    members = sorted({u.rows["hp_members"][0]["member_id"].strip() for _, good in files for u in good})
    spans: list[EnrollmentSpan] = []
    if members:
        found = conn.execute(
            f"""SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end
                FROM {staging_table(source("hp_enrollment"))} WHERE member_id IN (SELECT unnest(?))""",
            [members],
        ).fetchall()
        spans = [EnrollmentSpan(*row) for row in found]
    book = EnrollmentBook(spans)
    latest: dict[str, Row] = {}
    for lineage, good in files:
        for unit in good:
            member = unit.rows["hp_members"][0]
            member_id = member["member_id"].strip()
            try:
                book.apply(maintenance_of(unit, member_id))
            except UnknownMember:
                unit.fail(StandardReason.UNKNOWN_MEMBER, "INS03")
                continue
            latest.pop(member_id, None)
            latest[member_id] = member | {LINEAGE_FILE: lineage, LINEAGE_UNIT: unit.number}
    enrollment = [
        {
            "member_id": s.member_id,
            "plan_id": s.plan_id,
            "coverage_tier": s.coverage_tier,
            "coverage_start": s.coverage_start.isoformat(),
            "coverage_end": s.coverage_end.isoformat() if isinstance(s.coverage_end, dt.date) else None,
            LINEAGE_FILE: latest[s.member_id][LINEAGE_FILE],  # the member's last transaction changed it
            LINEAGE_UNIT: latest[s.member_id][LINEAGE_UNIT],
        }
        for s in book.changed()
    ]
    return {"hp_members": list(latest.values()), "hp_enrollment": enrollment}


STANDARD_SOURCES: tuple[StandardSource, ...] = (
    StandardSource(
        "x12_834",
        "health_plan",
        ("x12", "834", "edi", "txt"),
        ("hp_members", "hp_enrollment"),
        "ASC X12 005010X220A1 benefit enrollment (834) files from employers → members and coverage spans",
        read_834,
        resolve_834,
    ),
    StandardSource(
        "fhir_eob",
        "health_plan",
        ("ndjson", "jsonl"),
        ("hp_claims", "hp_claim_adjudication"),
        "FHIR R4 ExplanationOfBenefit resources (CARIN Blue Button bulk NDJSON) → claim lines and the "
        "payer's "
        "own adjudication of each line",
        read_eob_ndjson,
    ),
    StandardSource(
        "xapi",
        "learning",
        ("jsonl", "ndjson"),
        ("lc_completions",),
        "xAPI 1.0.3 statements (completed/passed/failed/waived, one JSON per line) → Learning Center "
        "completions",
        read_xapi_lines,
    ),
)
STANDARD_BY_NAME = {s.name: s for s in STANDARD_SOURCES}
#: contract source → the standard folders that feed its staging table (its staging asset runs after them).
FED_BY: dict[str, tuple[str, ...]] = {
    t: tuple(s.name for s in STANDARD_SOURCES if t in s.targets) for s in STANDARD_SOURCES for t in s.targets
}
