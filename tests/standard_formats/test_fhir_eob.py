"""FHIR ExplanationOfBenefit NDJSON: fhir.resources validates, CARIN BB slices map to claim lines, bad lines
wait."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from assets.ingestion.standard.fhir_eob import read_eob_ndjson
from tests.standard_formats.support import FIXTURES, eob, ingest, land, ledger, ndjson, quarantine, rows

CLAIM_COLUMNS = (
    "claim_id, line_number, claim_type, original_claim_id, member_id, provider_npi, service_date, "
    "received_date, "
    "processed_at, status, service_category, network, billed_amount, allowed_amount"
)


def test_the_carin_bb_example_maps_to_its_lines():
    """HL7's professional EOB example: model-valid; its lines carry the example's own amounts and dates."""
    [unit] = read_eob_ndjson(FIXTURES / "carin_bb_professional_eob_example1.ndjson")
    assert unit.reason is None
    lines = unit.rows["hp_claims"]
    assert [(r["line_number"], r["billed_amount"], r["allowed_amount"]) for r in lines] == [
        ("1", "68.8", "34.8"),
        ("2", "-68.8", "-34.8"),
        ("4", "751.2", "224.11"),
    ]
    first = lines[0]
    assert (
        first["claim_id"],
        first["member_id"],
        first["claim_type"],
        first["status"],
        first["network"],
    ) == (
        "ProfessionalEOBExample1",
        "ExamplePatient1",
        "original",
        "paid",
        "in",
    )
    assert (first["service_date"], first["received_date"], first["processed_at"]) == (
        "2020-08-04",
        "2020-08-24",
        "2020-08-24T00:00:00-04:00",
    )
    # the example names its provider by an Organization reference without an NPI, and no service category
    assert first["provider_npi"] is None and first["service_category"] is None


def test_the_carin_bb_example_is_quarantined_for_what_the_contract_needs(settings):
    land(
        settings,
        "fhir_eob",
        "eob.ndjson",
        (FIXTURES / "carin_bb_professional_eob_example1.ndjson").read_text(),
    )
    ingest(settings, "fhir_eob")
    assert quarantine(settings, "fhir_eob") == [("eob.ndjson", 1, "provider_npi", "missing_required")]


def test_an_eob_loads_as_claim_lines_with_typed_values(settings):
    adjusted = eob(
        "CLM2",
        "M000000101",
        lines=(("lab", "40.00", "25.50"),),
        related=[
            {
                "claim": {"identifier": {"value": "CLM1"}},
                "relationship": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                            "code": "prior",
                        }
                    ]
                },
            }
        ],
    )
    reversed_ = dict(eob("CLM3", "M000000101", lines=(("lab", "-40.00", "-25.50"),)), status="cancelled")
    reversed_["related"] = adjusted["related"]
    pending = dict(eob("CLM4", "M000000102"), outcome="queued")
    land(
        settings,
        "fhir_eob",
        "eob.ndjson",
        ndjson(
            eob(
                "CLM1", "M000000101", lines=(("office_visit", "180.00", "120.00"), ("lab", "40.00", "20.00"))
            ),
            adjusted,
            reversed_,
            pending,
        ),
    )
    ingest(settings, "fhir_eob")
    assert quarantine(settings, "fhir_eob") == []
    assert ledger(settings, "fhir_eob") == [("eob.ndjson", "loaded", None, 4, 4, 0)]
    got = rows(settings, f"SELECT {CLAIM_COLUMNS} FROM staging.hp_claims ORDER BY claim_id, line_number")
    at = dt.datetime(2026, 3, 4, 19, 5)  # 13:05 at -06:00, stored as the UTC instant
    common = ("1234567893", dt.date(2026, 2, 20), dt.date(2026, 3, 1), at)
    assert got == [
        (
            "CLM1",
            1,
            "original",
            None,
            "M000000101",
            *common,
            "paid",
            "office_visit",
            "in",
            Decimal("180.00"),
            Decimal("120.00"),
        ),
        (
            "CLM1",
            2,
            "original",
            None,
            "M000000101",
            *common,
            "paid",
            "lab",
            "in",
            Decimal("40.00"),
            Decimal("20.00"),
        ),
        (
            "CLM2",
            1,
            "adjustment",
            "CLM1",
            "M000000101",
            *common,
            "paid",
            "lab",
            "in",
            Decimal("40.00"),
            Decimal("25.50"),
        ),
        (
            "CLM3",
            1,
            "reversal",
            "CLM1",
            "M000000101",
            *common,
            "paid",
            "lab",
            "in",
            Decimal("-40.00"),
            Decimal("-25.50"),
        ),
        (
            "CLM4",
            1,
            "original",
            None,
            "M000000102",
            *common,
            "pending",
            "office_visit",
            "in",
            Decimal("180.00"),
            Decimal("120.00"),
        ),
    ]


def test_bad_resources_are_quarantined_with_their_reason_and_the_rest_loads(settings):
    no_patient = eob("CLM2", None)
    land(
        settings,
        "fhir_eob",
        "eob.ndjson",
        ndjson(
            eob("CLM1", "M1"),
            no_patient,
            {"claim": "CLM3", "member": "M1"},  # JSON, but not a FHIR resource
            {"resourceType": "Patient", "id": "M1"},  # a resource, not an EOB
            dict(eob("CLM5", "M1"), status="paid-ish"),  # outside the required status codes
            '{"resourceType": "ExplanationOfBenefit", "id": "CLM6", "patient"',  # cut short
            dict(eob("CLM7", "M1"), created="2026-03-04T13:05:00"),  # a timestamp without offset
            eob("CLM8", "M1"),
        ),
    )
    ingest(settings, "fhir_eob")
    assert quarantine(settings, "fhir_eob") == [
        ("eob.ndjson", 2, "patient", "missing_patient"),
        ("eob.ndjson", 3, "resourceType", "not_a_resource"),
        ("eob.ndjson", 4, "resourceType", "not_a_resource"),
        ("eob.ndjson", 5, "status", "bad_resource"),
        ("eob.ndjson", 6, None, "malformed_json"),
        ("eob.ndjson", 7, "created", "bad_timestamp"),  # FHIR: a time needs its zone
    ]
    assert rows(settings, "SELECT claim_id FROM staging.hp_claims ORDER BY 1") == [("CLM1",), ("CLM8",)]
    assert ledger(settings, "fhir_eob") == [("eob.ndjson", "loaded", None, 8, 2, 6)]
    # nothing lost: the quarantine keeps each line as it landed
    raw = rows(settings, "SELECT raw FROM ingest.quarantine WHERE row_number = 2")[0][0]
    assert json.loads(raw)["id"] == "CLM2"


def test_an_eob_with_one_bad_line_is_quarantined_whole(settings):
    land(
        settings,
        "fhir_eob",
        "eob.ndjson",
        ndjson(eob("CLM1", "M1", lines=(("lab", "40.00", "20.00"), ("x-ray", "9.00", "9.00")))),
    )
    ingest(settings, "fhir_eob")
    assert quarantine(settings, "fhir_eob") == [("eob.ndjson", 1, "service_category", "bad_enum")]
    assert rows(settings, "SELECT count(*) FROM staging.hp_claims") == [(0,)]
