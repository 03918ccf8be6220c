"""ASC X12 005010X220A1 (834) files → member-level units, parsed and validated by pyx12.

pyx12 reads the interchange against the implementation guide's map (``834.5010.X220.A1``): envelopes and their
counts, loops, segments, element codes and dates. Its findings are attached to the member-level loop (2000)
whose segments they concern; a loop with a finding is quarantined whole, the other loops load. Envelope
findings (IEA, GE or SE counts, missing trailers) are quarantined as units of their own, so nothing of the
file disappears silently. Row numbers are segment numbers (the count pyx12 and a 999 acknowledgement use).

pyx12 logs every finding with the element's value; its logger is silenced here so no member data reaches a
log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingestion.readers import FileRejected
from assets.ingestion.standard.units import Row, StandardReason, Unit
from domain.contracts import FileReason
from domain.health_plan.enrollment_834 import Coverage, Maintenance, MemberMaintenance

logging.getLogger("pyx12").setLevel(logging.CRITICAL + 1)


def _load_map_once():
    """pyx12 parses the 834 map's XML for every interchange (about 0.2 s, most of a small file's cost); a
    parsed map is only read while walking, so one per map file serves every file (tested: same findings either
    way)."""
    import pyx12.map_if

    original = pyx12.map_if.load_map_file
    if getattr(original, "_portalytics_cached", False):
        return
    maps: dict = {}

    def load_map_file(map_file, param, map_path=None):
        if (map_file, map_path) not in maps:
            maps[(map_file, map_path)] = original(map_file, param, map_path)
        return maps[(map_file, map_path)]

    load_map_file._portalytics_cached = True
    pyx12.map_if.load_map_file = load_map_file


#: INS02 individual relationship code → hp_members.relationship.
RELATIONSHIPS = {"18": "self", "01": "spouse", "19": "child", "17": "child", "53": "other"}
#: HD05 coverage level code → hp_enrollment.coverage_tier (IND, individual, is employee-only coverage).
COVERAGE_LEVELS = {"EMP": "EMP", "IND": "EMP", "ESP": "ESP", "ECH": "ECH", "FAM": "FAM"}
MAINTENANCE = {m.value: m for m in Maintenance}
#: Free-text person-name elements (last, first, middle, suffix) of NM1.
NAME_ELEMENTS = {"NM103", "NM104", "NM105", "NM107"}
#: Envelope findings that mean the file ended before its trailers (pyx12's codes for missing IEA, GE, SE).
MISSING_TRAILER = {("isa", "023"), ("gs", "3"), ("st", "2")}


@dataclass
class _Loop:
    """One member-level loop: its unit and the segment numbers it spans (to attach pyx12's findings)."""

    unit: Unit
    first: int
    last: int
    findings: list[tuple[str, str]] = field(default_factory=list)  # (reason, column)


def _d8(value: str | None) -> str | None:
    """CCYYMMDD → YYYY-MM-DD (pyx12 has already checked it is a real date)."""
    if not value or len(value) != 8:
        return value or None
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def read_834(path: Path) -> list[Unit]:
    import pyx12.error_handler
    import pyx12.errors
    import pyx12.params
    import pyx12.x12context

    _load_map_once()
    text, encoding = _text(path)
    errh = pyx12.error_handler.err_handler()
    loops: list[_Loop] = []
    current: list | None = None  # (map path, segment, segment number) of the member loop being read
    sponsor: str | None = None
    saw_st = False

    def close() -> None:
        if current:
            lines = [n for _, _, n in current]
            unit = Unit(lines[0], "".join(seg.format() for _, seg, _ in current))
            loops.append(_Loop(unit, min(lines), max(lines)))
            _map_member_loop(current, unit, sponsor)

    try:
        with open(path, encoding=encoding) as fh:
            reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, fh)
            for node in reader.iter_segments():
                seg, where = node.seg_data, node.x12_map_node.get_path()
                seg_id = seg.get_seg_id()
                if "/2000/" in where:
                    if seg_id == "INS" and where.endswith("/2000/INS"):
                        close()
                        current = []
                    if current is not None:
                        current.append((where, seg, node.cur_line_number))
                    continue
                close()
                current = None
                if seg_id == "ST":
                    saw_st, sponsor = True, None
                elif seg_id == "N1" and seg.get_value("N101") == "P5":
                    sponsor = seg.get_value("N104")
            close()  # a file cut short inside a member loop: its partial loop is a unit too
            reader.src.cleanup()  # missing SE/GE/IEA at end of file
            errh.handle_errors(reader.src.pop_errors())
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise FileRejected(
            FileReason.UNREADABLE, f"not a readable X12 interchange: {type(exc).__name__}"
        ) from None
    if not saw_st:
        term = text[105:106] if len(text) > 105 else "?"
        raise FileRejected(
            FileReason.UNREADABLE,
            "no transaction set follows the ISA segment; the segment terminator the ISA declares "
            f"({term!r}) does not end the segments after it (wrong segment terminator)",
        )
    envelope = _attach_findings(errh, loops)
    for lp in loops:
        if lp.findings and lp.unit.reason is None:
            lp.unit.fail(*lp.findings[0])
    return sorted([lp.unit for lp in loops] + envelope, key=lambda u: u.number)


def _text(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    for encoding in ("utf-8", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any byte")


class _MemberLoop:
    """Looks up the segments of one 2000 loop by their place in the guide (pyx12's map path)."""

    def __init__(self, segments: list):
        self.segments = segments

    def first(self, suffix: str, qualifier: tuple[str, str] | None = None):
        for where, seg, _ in self.segments:
            if where.split("[")[0].endswith(suffix) and (
                qualifier is None or seg.get_value(qualifier[0]) == qualifier[1]
            ):
                return seg
        return None

    def value(self, suffix: str, ref: str, qualifier: tuple[str, str] | None = None) -> str | None:
        seg = self.first(suffix, qualifier)
        return (seg.get_value(ref) or None) if seg is not None else None

    def coverages(self) -> list[dict[str, str | None]]:
        """Each 2300 loop: HD04, HD05 and its DTP*348/349 dates."""
        out: list[dict[str, str | None]] = []
        for where, seg, _ in self.segments:
            if where.endswith("/2300/HD"):
                out.append({"HD04": seg.get_value("HD04") or None, "HD05": seg.get_value("HD05") or None})
            elif "/2300/DTP" in where and out and seg.get_value("DTP01") in ("348", "349"):
                out[-1][seg.get_value("DTP01")] = seg.get_value("DTP03") or None
        return out


def _map_member_loop(segments: list, unit: Unit, sponsor: str | None) -> None:
    loop = _MemberLoop(segments)
    maintenance = MAINTENANCE.get(loop.value("/2000/INS", "INS03") or "")
    if maintenance is None:
        unit.fail(StandardReason.BAD_SEGMENT, "INS03")
        return
    if loop.first("/2100A/NM1") is None:
        unit.fail(StandardReason.MISSING_LOOP, "2100A")
        return
    member_id = loop.value("/2100A/NM1", "NM109")
    coverages = []
    for hd in loop.coverages():
        level = hd["HD05"]
        tier = COVERAGE_LEVELS.get(level) if level else None
        if level and tier is None:
            unit.fail(StandardReason.UNKNOWN_COVERAGE_LEVEL, "HD05")
            return
        begin, end, plan = _d8(hd.get("348")), _d8(hd.get("349")), hd["HD04"]
        missing = _missing(maintenance, plan, tier, begin, end)
        if missing:
            unit.fail(StandardReason.MISSING_SEGMENT, missing)
            return
        coverages.append((plan, tier, begin, end))
    member: Row = {
        "member_id": member_id,
        "subscriber_id": loop.value("/2000/REF", "REF02", ("REF01", "0F")),
        "relationship": RELATIONSHIPS.get(loop.value("/2000/INS", "INS02") or "", "other"),
        "first_name": loop.value("/2100A/NM1", "NM104"),
        "last_name": loop.value("/2100A/NM1", "NM103"),
        "birth_date": _d8(loop.value("/2100A/DMG", "DMG02")),
        "sex": loop.value("/2100A/DMG", "DMG03"),
        "employer_id": sponsor,
        "email": loop.value("/2100A/PER", "PER04", ("PER03", "EM")),
        "street": loop.value("/2100A/N3", "N301"),
        "city": loop.value("/2100A/N4", "N401"),
        "state": loop.value("/2100A/N4", "N402"),
        "postal_code": loop.value("/2100A/N4", "N403"),
    }
    spans: list[Row] = [
        {"member_id": member_id, "plan_id": p, "coverage_tier": t, "coverage_start": b, "coverage_end": e}
        for p, t, b, e in coverages
        if b is not None and t is not None
    ]
    unit.rows = {"hp_members": [member], "hp_enrollment": spans}
    unit.payload = (maintenance, coverages)


def _missing(kind: Maintenance, plan, tier, begin, end) -> str | None:
    """The HD/DTP the maintenance cannot do without (the guide leaves them situational)."""
    if not plan:
        return "HD04"
    if kind in (Maintenance.ADD, Maintenance.CHANGE, Maintenance.AUDIT):
        if begin is None:
            return "DTP*348"
        if tier is None:
            return "HD05"
    if kind is Maintenance.TERMINATION and end is None:
        return "DTP*349"
    return None


def _day(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def maintenance_of(unit: Unit, member_id: str) -> MemberMaintenance:
    """The unit's maintenance with dates typed (the contract rules have passed its rows)."""
    kind, coverages = unit.payload
    return MemberMaintenance(
        member_id, kind, tuple(Coverage(p, t, _day(b), _day(e)) for p, t, b, e in coverages)
    )


def _attach_findings(errh, loops: list[_Loop]) -> list[Unit]:
    """pyx12's error tree → findings on the member loops, and envelope units for the rest."""
    envelope: list[Unit] = []

    def owner(line: int) -> _Loop | None:
        for lp in loops:
            if lp.first <= line <= lp.last:
                return lp
        return None

    missing_trailers: list[tuple[str, int, str]] = []

    def envelope_unit(level: str, node, code: str, message: str) -> None:
        trailer = {"isa": "IEA", "gs": "GE", "st": "SE"}[level]
        if (level, code) in MISSING_TRAILER:
            missing_trailers.append((trailer, node.get_cur_line(), message))
            return
        raw = json.dumps({"envelope": trailer, "finding": message})
        envelope.append(Unit(node.get_cur_line(), raw).fail(StandardReason.BAD_ENVELOPE, trailer))

    for isa in errh.children:
        for code, message, *_ in isa.errors:
            envelope_unit("isa", isa, code, message)
        for gs in isa.children:
            for code, message, *_ in gs.errors:
                envelope_unit("gs", gs, code, message)
            for st in gs.children:
                for code, message, *_ in st.errors:
                    envelope_unit("st", st, code, message)
                for seg in st.children:
                    _seg_findings(seg, owner, envelope)
    if missing_trailers:  # one finding for the file: it ends before these trailers
        # numbered at the innermost envelope left open (ST before GS before ISA)
        innermost, opened_at, _ = min(missing_trailers, key=lambda t: ["SE", "GE", "IEA"].index(t[0]))
        raw = json.dumps(
            {"envelope": [t for t, _, _ in missing_trailers], "finding": "file ends before them"}
        )
        envelope.append(Unit(opened_at, raw).fail(StandardReason.TRUNCATED_INTERCHANGE, innermost))
        # the last member loop of an unclosed transaction set may be cut short: it is not trusted either
        if loops and loops[-1].unit.reason is None:
            loops[-1].findings.append((StandardReason.TRUNCATED_INTERCHANGE, innermost))
    return envelope


def _accented_name(ref: str, error: tuple) -> bool:
    """A letter outside the X12 character set in a person's name (Chloé, Muñoz): loaded as sent.

    5010's extended character set has no accented letters, yet names carry them and senders do send them;
    quarantining a member for an accent would lose a real enrolment. Anything else outside the set (in an id,
    a code, a date) stays a bad segment.
    """
    code, _, value = (*error, None)[:3]
    if ref not in NAME_ELEMENTS or code != "6" or not value:
        return False
    return all(ch.isalpha() for ch in value if not ch.isascii()) and not value.isascii()


def _seg_findings(seg, owner, envelope: list[Unit]) -> None:
    found: list[tuple[str, str]] = []
    for code, message, *_ in seg.errors:
        if code == "3" or "loop" in message.lower() and "missing" in message.lower():
            found.append((StandardReason.MISSING_LOOP, seg.seg_id or "?"))
        else:
            found.append((StandardReason.BAD_SEGMENT, seg.seg_id or "?"))
    for ele in seg.elements:
        ref = f"{seg.seg_id}{ele.ele_pos:02d}"
        if [e for e in ele.errors if not _accented_name(ref, e)]:
            reason = StandardReason.UNKNOWN_COVERAGE_LEVEL if ref == "HD05" else StandardReason.BAD_SEGMENT
            found.append((reason, ref))
    if not found:
        return
    lp = owner(seg.get_cur_line())
    if lp is not None:
        lp.findings.extend(found)
    else:  # a header segment (BGN, N1, ...): the transaction's members cannot be trusted to belong anywhere
        raw = json.dumps({"segment": seg.seg_id, "finding": found[0][0]})
        envelope.append(Unit(seg.get_cur_line(), raw).fail(*found[0]))
