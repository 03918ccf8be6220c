"""``generate --formats standard``: the same world with enrollment as X12 834, claims as FHIR EOB NDJSON and
Learning Center completions as xAPI statements.

The CSV landing is generated first (so the world, and the CSV path, stay exactly what they are), then the good
rows of hp_members + hp_enrollment, hp_claims and lc_completions are rewritten in the standard formats and
their CSV folders removed. Planted bad rows (known from the truth), rejected and re-landed files are not
converted: the standard folders carry only what the CSV landing loads, so both landings give the same marts.

- 834: one file per employer per month; a member's first span is an addition (021), each later span a change
  (001) from its start, a span that ends without a successor a termination (024) on its end date; a member
  without coverage is an addition without HD loop in the last month's file.
- EOB: one ExplanationOfBenefit per claim (its lines are the items), one NDJSON file per CSV month.
- xAPI: one statement per completion, one JSON-lines file per CSV year.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from assets.ingestion.standard.fhir_eob import (
    ADJUDICATION,
    C4BB_ADJUDICATION_DISCRIMINATOR,
    C4BB_IDENTIFIER_TYPE,
    C4BB_PAYER_STATUS,
    C4BB_SUPPORTING_INFO,
    NPI_SYSTEM,
    SERVICE_CATEGORY_SYSTEM,
)
from assets.ingestion.standard.xapi import ADL, COMPLETION_ID_EXTENSION, CONTACT_HOURS_EXTENSION

from .truth import Truth

CONVERTED = ("hp_members", "hp_enrollment", "hp_claims", "lc_completions")
SEGMENT, ELEMENT, COMPONENT, REPETITION = "~", "*", ">", "^"
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "53"}
LC_HOME = "https://lc.portalytics.example"
PAYER = "Lakeshore Health Plan"
STATUS_VERB = {"completed": "completed", "failed": "failed", "waived": "waived", "in_progress": "attempted"}
LAST_MONTH = "2026-10"


def convert_landing(landing: Path, truth: Truth) -> dict[str, int]:
    """Rewrite the four CSV sources in landing/ as x12_834, fhir_eob and xapi; returns files written per
    folder."""
    written = write_standard(
        landing,
        landing,
        {(s, f, r) for s, f, r, _ in truth.bad_rows},
        {(s, f) for s, f, _ in truth.rejected_files} | {(s, f) for s, f, _ in truth.relanded_files},
    )
    for src in CONVERTED:
        shutil.rmtree(landing / src)
    truth.bad_rows[:] = [b for b in truth.bad_rows if b[0] not in CONVERTED]
    truth.rejected_files[:] = [r for r in truth.rejected_files if r[0] not in CONVERTED]
    truth.relanded_files[:] = [r for r in truth.relanded_files if r[0] not in CONVERTED]
    truth.tricky_values[:] = [t for t in truth.tricky_values if t[0] not in CONVERTED]
    truth.set("run", "formats", "standard")
    return written


def write_standard(
    csv_landing: Path,
    out_landing: Path,
    skip_rows: set[tuple[str, str, int]],
    skip_files: set[tuple[str, str]],
    keep_file: Callable[[str, str], bool] = lambda source, name: True,
) -> dict[str, int]:
    """The good rows of the CSV landing's four sources (those ``keep_file`` keeps) written in the standard
    formats under ``out_landing``; the CSV files are left in place."""
    good = {
        src: {n: r for n, r in _good_rows(csv_landing / src, src, skip_rows, skip_files) if keep_file(src, n)}
        for src in CONVERTED
    }
    return {
        "x12_834": write_834(out_landing / "x12_834", good["hp_members"], good["hp_enrollment"]),
        "fhir_eob": write_eob(out_landing / "fhir_eob", good["hp_claims"]),
        "xapi": write_xapi(out_landing / "xapi", good["lc_completions"]),
    }


def _good_rows(folder: Path, src: str, skip_rows: set, skip_files: set) -> Iterator[tuple[str, list[dict]]]:
    """(file name, its good rows) in name order, read back with the encoding the writer used."""
    for path in sorted(folder.glob("*.csv")):
        if (src, path.name) in skip_files:
            continue
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        rows = []
        for number, row in enumerate(csv.DictReader(text.splitlines()), start=1):
            if (src, path.name, number) not in skip_rows:
                rows.append({k: (v if v != "" else None) for k, v in row.items()})
        yield path.name, rows


# ---------------------------------------------------------------- X12 834


def _segment(*elements: str | None) -> str:
    values = ["" if e is None else e for e in elements]
    for v in values[1:]:
        if any(ch in v for ch in (SEGMENT, ELEMENT, COMPONENT, REPETITION)):
            raise ValueError(f"{values[0]} segment: a value holds an X12 delimiter")
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join(values) + SEGMENT


def _d8(iso: str) -> str:
    return iso.replace("-", "")


def _events(spans: list[dict]) -> list[tuple[str, int, str, dict]]:
    """(effective date, order, INS03, HD fields) for one member's spans in start order. On one day an addition
    or change comes before a termination (a baby born on the day the family's coverage ends has a one-day
    span)."""
    out = []
    spans = sorted(spans, key=lambda s: (s["coverage_start"], s["plan_id"]))
    for i, s in enumerate(spans):
        kind = "021" if i == 0 else "001"
        out.append(
            (
                s["coverage_start"],
                1,
                kind,
                {"plan": s["plan_id"], "tier": s["coverage_tier"], "begin": s["coverage_start"]},
            )
        )
        end = s["coverage_end"]
        following = spans[i + 1]["coverage_start"] if i + 1 < len(spans) else None
        if end and (
            following is None
            or dt.date.fromisoformat(following) - dt.timedelta(days=1) != dt.date.fromisoformat(end)
        ):
            out.append(
                (
                    end,
                    2,
                    "024",
                    {"plan": s["plan_id"], "tier": None, "begin": s["coverage_start"], "end": end},
                )
            )
    return out


def write_834(folder: Path, member_files: dict[str, list[dict]], span_files: dict[str, list[dict]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    members = {m["member_id"]: m for rows in member_files.values() for m in rows}
    spans: dict[str, list[dict]] = defaultdict(list)
    for rows in span_files.values():
        for s in rows:
            spans[s["member_id"]].append(s)
    # (employer, month) -> [(date, order, member, INS03, HD)]
    files: dict[tuple[str, str], list] = defaultdict(list)
    for member_id, m in members.items():
        events = _events(spans.get(member_id, []))
        if not events:
            files[(m["employer_id"], LAST_MONTH)].append((f"{LAST_MONTH}-31", 2, member_id, "021", None))
        for when, order, kind, hd in events:
            files[(m["employer_id"], when[:7])].append((when, order, member_id, kind, hd))
    for n, ((employer, month), txs) in enumerate(sorted(files.items()), start=1):
        path = folder / f"834_{employer}_{month}.x12"
        path.write_text(_interchange(n, employer, month, sorted(txs, key=lambda t: t[:3]), members), "utf-8")
    return len(files)


def _contact(m: dict) -> list[str]:
    """Loop 2100A's PER (e-mail), N3 (street) and N4 (city, state, postal code), in the guide's order, for the
    members whose CSV row has them."""
    segments = []
    if m.get("email"):
        segments.append(_segment("PER", "IP", None, "EM", m["email"]))
    if m.get("street"):
        segments.append(_segment("N3", m["street"]))
        segments.append(_segment("N4", m.get("city"), m.get("state"), m.get("postal_code")))
    return segments


def _interchange(control: int, employer: str, month: str, txs: list, members: dict) -> str:
    day = f"{month}-01"
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{employer:<15}*ZZ*{'LAKESHOREHP':<15}*{_d8(day)[2:]}*0000*"
        f"{REPETITION}*00501*{control:09d}*0*P*{COMPONENT}{SEGMENT}"
    )
    body = [
        _segment("ST", "834", "0001", "005010X220A1"),
        _segment("BGN", "00", f"{employer}-{month}", _d8(day), "0000", None, None, None, "2"),
        _segment("N1", "P5", employer, "94", employer),
        _segment("N1", "IN", PAYER, "FI", "364123456"),
    ]
    for _, _, member_id, kind, hd in txs:
        m = members[member_id]
        rel = RELATIONSHIP_CODES[m["relationship"]]
        body += [
            _segment(
                "INS",
                "Y" if rel == "18" else "N",
                rel,
                kind,
                "XN",
                "A",
                None,
                None,
                "FT" if rel == "18" else None,
            ),
            _segment("REF", "0F", m["subscriber_id"]),
            _segment("NM1", "IL", "1", m["last_name"], m["first_name"], None, None, None, "ZZ", member_id),
            *_contact(m),
            _segment("DMG", "D8", _d8(m["birth_date"]), m["sex"] or "U"),
        ]
        if hd is not None:
            body.append(_segment("HD", kind, None, "HLT", hd["plan"], hd["tier"]))
            body.append(_segment("DTP", "348", "D8", _d8(hd["begin"])))
            if hd.get("end"):
                body.append(_segment("DTP", "349", "D8", _d8(hd["end"])))
    body.append(_segment("SE", str(len(body) + 1), "0001"))
    return (
        "\n".join(
            [
                isa,
                _segment(
                    "GS", "BE", employer, "LAKESHOREHP", _d8(day), "0000", str(control), "X", "005010X220A1"
                ),
                *body,
                _segment("GE", "1", str(control)),
                _segment("IEA", "1", f"{control:09d}"),
            ]
        )
        + "\n"
    )


# ---------------------------------------------------------------- FHIR ExplanationOfBenefit


def _number(text: str) -> float:
    """Money text → a JSON number that reads back as the same two-decimal value."""
    return float(Decimal(text))


def _coding(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def explanation_of_benefit(lines: list[dict]) -> dict:
    first = lines[0]
    claim_id, status = first["claim_id"], first["status"]
    eob: dict = {
        "resourceType": "ExplanationOfBenefit",
        "id": claim_id,
        "identifier": [
            {
                "type": _coding(C4BB_IDENTIFIER_TYPE, "uc"),
                "system": "https://portalytics.example/claim-id",
                "value": claim_id,
            }
        ],
        "status": "cancelled" if first["claim_type"] == "reversal" else "active",
        "type": _coding("http://terminology.hl7.org/CodeSystem/claim-type", "professional"),
        "use": "claim",
        "patient": {"reference": f"Patient/{first['member_id']}"},
        "billablePeriod": {"start": first["service_date"], "end": first["service_date"]},
        "created": first["processed_at"],
        "insurer": {"display": PAYER},
        "provider": {"identifier": {"system": NPI_SYSTEM, "value": first["provider_npi"]}},
        "outcome": "queued" if status == "pending" else "complete",
        "supportingInfo": [
            {
                "sequence": 1,
                "category": _coding(C4BB_SUPPORTING_INFO, "clmrecvddate"),
                "timingDate": first["received_date"],
            },
        ],
        "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/{first['member_id']}"}}],
        "item": [],
    }
    if first["original_claim_id"]:
        eob["related"] = [
            {
                "claim": {"identifier": {"value": first["original_claim_id"]}},
                "relationship": _coding(
                    "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior"
                ),
            }
        ]
    for line in lines:
        adjudication = [
            {
                "category": _coding(ADJUDICATION, "submitted"),
                "amount": {"value": _number(line["billed_amount"]), "currency": "USD"},
            },
            {
                "category": _coding(ADJUDICATION, "eligible"),
                "amount": {"value": _number(line["allowed_amount"]), "currency": "USD"},
            },
            {
                "category": _coding(
                    C4BB_PAYER_STATUS, "innetwork" if line["network"] == "in" else "outofnetwork"
                )
            },
        ]
        if line["status"] == "denied":
            adjudication.append(
                {
                    "category": _coding(C4BB_ADJUDICATION_DISCRIMINATOR, "denialreason"),
                    "reason": _coding("https://x12.org/codes/claim-adjustment-reason-codes", "96"),
                }
            )
        eob["item"].append(
            {
                "sequence": int(line["line_number"]),
                "category": _coding(SERVICE_CATEGORY_SYSTEM, line["service_category"]),
                "productOrService": {"text": line["service_category"]},
                "servicedDate": line["service_date"],
                "adjudication": adjudication,
            }
        )
    return eob


def write_eob(folder: Path, claim_files: dict[str, list[dict]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in claim_files.items():
        claims: dict[str, list[dict]] = {}
        for row in rows:
            claims.setdefault(row["claim_id"], []).append(row)
        with (folder / (name.removesuffix(".csv") + ".ndjson")).open(
            "w", encoding="utf-8", newline="\n"
        ) as fh:
            for lines in claims.values():
                fh.write(json.dumps(explanation_of_benefit(lines), separators=(",", ":")) + "\n")
    return len(claim_files)


# ---------------------------------------------------------------- xAPI


def statement(row: dict) -> dict:
    verb = STATUS_VERB[row["status"]]
    result: dict = {}
    if row["status"] in ("completed", "waived", "failed"):
        result["completion"] = row["status"] != "failed"
    if row["status"] in ("completed", "failed"):
        result["success"] = row["status"] == "completed"
    if row["score"]:
        result["score"] = {"raw": _number(row["score"]), "min": 0, "max": 100}
    if row["hours"]:
        result["extensions"] = {CONTACT_HOURS_EXTENSION: _number(row["hours"])}
    out = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{LC_HOME}/completions/{row['completion_id']}")),
        "actor": {"objectType": "Agent", "account": {"homePage": LC_HOME, "name": row["lc_user_id"]}},
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": f"{LC_HOME}/courses/{row['course_id']}"},
        "context": {"extensions": {COMPLETION_ID_EXTENSION: row["completion_id"]}},
        "timestamp": row["completed_at"],
        "version": "1.0.3",
    }
    if result:
        out["result"] = result
    return out


def write_xapi(folder: Path, completion_files: dict[str, list[dict]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in completion_files.items():
        target = folder / (name.removesuffix(".csv").replace("completions", "statements") + ".jsonl")
        with target.open("w", encoding="utf-8", newline="\n") as fh:
            for row in rows:
                fh.write(json.dumps(statement(row), ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(completion_files)
