"""Hand-built standard-format files for the tests, and a direct way to ingest a folder into a warehouse."""

from __future__ import annotations

import json
from pathlib import Path

from assets.ingestion.standard.load import ingest_standard
from assets.ingestion.standard.sources import STANDARD_BY_NAME
from assets.warehouse import open_warehouse
from domain.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def member(
    member_id: str, ins: str, rel: str = "18", *hd: str, last="Rivera", first="Ana", born="19800412"
) -> list[str]:
    """A 2000 loop: INS (subscriber when rel is 18), REF*0F, NM1*IL, DMG and any HD/DTP segments given."""
    subscriber = "Y" if rel == "18" else "N"
    return [
        f"INS*{subscriber}*{rel}*{ins}*XN*A***{'FT' if subscriber == 'Y' else ''}".rstrip("*"),
        f"REF*0F*{member_id[:8]}01",
        f"NM1*IL*1*{last}*{first}****ZZ*{member_id}",
        f"DMG*D8*{born}*F",
        *hd,
    ]


def interchange(*loops: list[str], sponsor: str = "EMP0001", control: int = 7, iea_count: int = 1) -> str:
    """An 834 interchange, one segment per line, with correct SE/GE counts (IEA01 as given)."""
    body = [
        "ST*834*0001*005010X220A1",
        "BGN*00*REF1*20240101*0000****2",
        f"N1*P5*{sponsor}*94*{sponsor}",
        "N1*IN*Lakeshore Health Plan*FI*364123456",
    ]
    for loop in loops:
        body += loop
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [
        f"ISA*00*          *00*          *ZZ*{sponsor:<15}*ZZ*LAKESHOREHP    "
        f"*240101*0000*^*00501*{control:09d}*0*P*>",
        f"GS*BE*{sponsor}*LAKESHOREHP*20240101*0000*{control}*X*005010X220A1",
        *body,
        f"GE*1*{control}",
        f"IEA*{iea_count}*{control:09d}",
    ]
    return "".join(s + "~\n" for s in segments)


def eob(
    claim_id: str, member_id: str | None, *, lines=(("office_visit", "180.00", "120.00"),), **extra
) -> dict:
    """A CARIN-shaped ExplanationOfBenefit with one item per (category, submitted, eligible)."""
    resource = {
        "resourceType": "ExplanationOfBenefit",
        "id": claim_id,
        "status": "active",
        "type": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]
        },
        "use": "claim",
        "created": "2026-03-04T13:05:00-06:00",
        "insurer": {"display": "Lakeshore Health Plan"},
        "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}},
        "outcome": "complete",
        "supportingInfo": [
            {
                "sequence": 1,
                "category": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType",
                            "code": "clmrecvddate",
                        }
                    ]
                },
                "timingDate": "2026-03-01",
            }
        ],
        "insurance": [{"focal": True, "coverage": {"reference": "Coverage/1"}}],
        "item": [
            {
                "sequence": n,
                "category": {
                    "coding": [
                        {
                            "system": "https://portalytics.example/fhir/CodeSystem/service-category",
                            "code": cat,
                        }
                    ]
                },
                "productOrService": {"text": cat},
                "servicedDate": "2026-02-20",
                "adjudication": [
                    {
                        "category": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/adjudication",
                                    "code": "submitted",
                                }
                            ]
                        },
                        "amount": {"value": float(billed), "currency": "USD"},
                    },
                    {
                        "category": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/adjudication",
                                    "code": "eligible",
                                }
                            ]
                        },
                        "amount": {"value": float(allowed), "currency": "USD"},
                    },
                    {
                        "category": {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus",
                                    "code": "innetwork",
                                }
                            ]
                        }
                    },
                ],
            }
            for n, (cat, billed, allowed) in enumerate(lines, start=1)
        ],
    }
    if member_id is not None:
        resource["patient"] = {"reference": f"Patient/{member_id}"}
    resource.update(extra)
    return resource


def statement(completion_id: str, user: str | None, verb: str = "completed", **extra) -> dict:
    out = {
        "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": "https://lc.portalytics.example/courses/CRS0007"},
        "timestamp": "2026-03-04T13:05:00-06:00",
        "context": {
            "extensions": {"https://portalytics.example/xapi/extensions/completion-id": completion_id}
        },
    }
    if user is not None:
        out["actor"] = {
            "objectType": "Agent",
            "account": {"homePage": "https://lc.portalytics.example", "name": user},
        }
    out.update(extra)
    return out


def ndjson(*objects) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects)


def land(settings: Settings, folder: str, name: str, text: str | bytes) -> Path:
    path = settings.landing_dir / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def ingest(settings: Settings, folder: str):
    settings.root.mkdir(parents=True, exist_ok=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        return ingest_standard(conn, STANDARD_BY_NAME[folder], settings.landing_dir / folder)


def rows(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def quarantine(settings: Settings, folder: str) -> list[tuple]:
    """(file_name, row_number, column, reason) in file and row order."""
    return rows(
        settings,
        'SELECT file_name, row_number, "column", reason FROM ingest.quarantine WHERE source = ? ORDER BY 1, '
        "2",
        [folder],
    )


def ledger(settings: Settings, folder: str) -> list[tuple]:
    """(file_name, status, reason, rows_read, rows_loaded, rows_quarantined) in file order."""
    return rows(
        settings,
        "SELECT file_name, status, reason, rows_read, rows_loaded, rows_quarantined FROM ingest.ledger "
        "WHERE source = ? ORDER BY 1",
        [folder],
    )
