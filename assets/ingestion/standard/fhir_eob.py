"""FHIR R4 ExplanationOfBenefit NDJSON (CARIN Blue Button) → claim-line units, validated by fhir.resources.

One line is one resource and one unit: an EOB is loaded with all its items (claim lines) or quarantined whole.
The R4B model of fhir.resources validates the resource (R4B left ExplanationOfBenefit as it was in R4); the
mapping below then reads the CARIN BB slices the claim-line contract needs. See docs/data-contracts.md.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from assets.ingestion.standard.units import Row, StandardReason, Unit, json_line_units
from domain.contracts import Reason

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
C4BB_ADJUDICATION_DISCRIMINATOR = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
C4BB_PAYER_STATUS = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus"
C4BB_SUPPORTING_INFO = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
C4BB_ADJUDICATION = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
#: The member's share as the payer adjudicated it: (system, code) → hp_claim_adjudication column.
MEMBER_SHARE = {
    (ADJUDICATION, "deductible"): "deductible",
    (ADJUDICATION, "copay"): "copay",
    (C4BB_ADJUDICATION, "coinsurance"): "coinsurance",
    (C4BB_ADJUDICATION, "memberliability"): "member_liability",
}
C4BB_IDENTIFIER_TYPE = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
#: The contract's service categories have no code system of their own in CARIN BB: the payer's extract tags
#: each item.category with this one (a real feed maps its revenue/CPT/NDC codes onto it before landing).
SERVICE_CATEGORY_SYSTEM = "https://portalytics.example/fhir/CodeSystem/service-category"
RELATED_PRIOR = {"prior", "replaces"}
#: ExplanationOfBenefit.status (required binding, FHIR R4).
STATUS_CODES = {"active", "cancelled", "draft", "entered-in-error"}
NETWORK = {"innetwork": "in", "outofnetwork": "out"}
#: EOB.outcome → line status unless the line carries a denial reason.
OUTCOME_STATUS = {"queued": "pending", "complete": "paid", "partial": "paid", "error": "denied"}


def read_eob_ndjson(path: Path) -> list[Unit]:
    return json_line_units(path, eob_unit)


def eob_unit(number: int, text: str) -> Unit:
    from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit
    from pydantic import ValidationError

    unit = Unit(number, text)
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError:
        return unit.fail(Reason.MALFORMED_JSON, None)
    if not isinstance(data, dict) or "resourceType" not in data:
        return unit.fail(StandardReason.NOT_A_RESOURCE, "resourceType")
    if data["resourceType"] != "ExplanationOfBenefit":
        return unit.fail(StandardReason.NOT_A_RESOURCE, "resourceType")
    if not data.get("patient"):
        return unit.fail(StandardReason.MISSING_PATIENT, "patient")
    try:
        eob = ExplanationOfBenefit.model_validate(data)
    except ValidationError as exc:
        where = exc.errors()[0]["loc"]
        if where and where[0] == "created":
            return unit.fail(Reason.BAD_TIMESTAMP, "created")
        return unit.fail(StandardReason.BAD_RESOURCE, ".".join(str(p) for p in where[:3]) or None)
    # required bindings the model does not enforce
    if eob.status not in STATUS_CODES:
        return unit.fail(StandardReason.BAD_RESOURCE, "status")
    if eob.outcome not in OUTCOME_STATUS:
        return unit.fail(StandardReason.BAD_RESOURCE, "outcome")
    lines, adjudications = claim_lines(eob, data)
    unit.rows = {"hp_claims": lines, "hp_claim_adjudication": adjudications}
    if not lines:
        return unit.fail(StandardReason.BAD_RESOURCE, "item")
    return unit


def _codes(concept) -> list[tuple[str | None, str | None]]:
    return [(c.system, c.code) for c in (concept.coding or [])] if concept is not None else []


def _has(concept, system: str, code: str | None = None) -> bool:
    return any(s == system and (code is None or c == code) for s, c in _codes(concept))


def _claim_id(eob) -> str | None:
    for ident in eob.identifier or []:
        if _has(ident.type, C4BB_IDENTIFIER_TYPE, "uc"):
            return ident.value
    return eob.id


def _reference_id(ref) -> str | None:
    """A Reference's logical identifier value, else the id part of ``Type/id``."""
    if ref is None:
        return None
    if ref.identifier is not None and ref.identifier.value:
        return ref.identifier.value
    if ref.reference:
        return ref.reference.rsplit("/", 1)[-1]
    return None


def _npi(eob) -> str | None:
    ref = eob.provider
    if ref is not None and ref.identifier is not None and ref.identifier.system == NPI_SYSTEM:
        return ref.identifier.value
    if ref is not None and ref.reference and ref.reference.startswith("#"):
        for res in eob.contained or []:
            if res.id == ref.reference[1:]:
                for ident in getattr(res, "identifier", None) or []:
                    if ident.system == NPI_SYSTEM:
                        return ident.value
    return None


def _received(eob) -> str | None:
    for info in eob.supportingInfo or []:
        if _has(info.category, C4BB_SUPPORTING_INFO, "clmrecvddate") and info.timingDate:
            return info.timingDate.isoformat()
    return None


def _claim_network(eob) -> str | None:
    for info in eob.supportingInfo or []:
        if _has(info.category, C4BB_SUPPORTING_INFO, "benefitpaymentstatus"):
            for system, code in _codes(info.code):
                if system == C4BB_PAYER_STATUS and code in NETWORK:
                    return NETWORK[code]
    return None


def _related(eob) -> str | None:
    for rel in eob.related or []:
        if any(code in RELATED_PRIOR for _, code in _codes(rel.relationship)):
            if rel.reference is not None and rel.reference.value:
                return rel.reference.value
            return _reference_id(rel.claim)
    return None


def _money(value) -> str | None:
    return None if value is None else format(value, "f")


def claim_lines(eob, data: dict) -> tuple[list[Row], list[Row]]:
    """The claim lines, and the payer's member-share amounts of the lines that carry any."""
    original = _related(eob)
    claim_type = (
        "reversal" if eob.status == "cancelled" and original else "adjustment" if original else "original"
    )
    claim_network = _claim_network(eob)
    created = data.get("created")  # the text as sent: the contract's timestamp rule judges its offset
    header_start = (
        eob.billablePeriod.start.isoformat() if eob.billablePeriod and eob.billablePeriod.start else None
    )
    rows, shares = [], []
    for item in eob.item or []:
        amounts, network, denied, share = {}, claim_network, False, {}
        for adj in item.adjudication or []:
            for system, code in _codes(adj.category):
                if (system, code) in MEMBER_SHARE and adj.amount is not None:
                    share[MEMBER_SHARE[(system, code)]] = _money(adj.amount.value)
                if system == ADJUDICATION and adj.amount is not None:
                    amounts[code] = adj.amount.value
                elif system == C4BB_PAYER_STATUS and code in NETWORK:
                    network = NETWORK[code]
                elif system == C4BB_ADJUDICATION_DISCRIMINATOR and code == "denialreason":
                    denied = True
        category = next((c for s, c in _codes(item.category) if s == SERVICE_CATEGORY_SYSTEM), None)
        served = item.servicedDate or (item.servicedPeriod.start if item.servicedPeriod else None)
        rows.append(
            {
                "claim_id": _claim_id(eob),
                "line_number": str(item.sequence),
                "claim_type": claim_type,
                "original_claim_id": original,
                "member_id": _reference_id(eob.patient),
                "provider_npi": _npi(eob),
                "service_date": served.isoformat() if served else header_start,
                "received_date": _received(eob),
                "processed_at": created if isinstance(created, str) else None,
                "status": "denied" if denied else OUTCOME_STATUS.get(eob.outcome),
                "service_category": category,
                "network": network,
                "billed_amount": _money(amounts.get("submitted")),
                "allowed_amount": _money(amounts.get("eligible")),
            }
        )
        if share:
            shares.append({"claim_id": _claim_id(eob), "line_number": str(item.sequence), **share})
    return rows, shares
