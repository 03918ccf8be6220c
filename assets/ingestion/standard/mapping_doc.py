"""The field mappings of the standard formats as data, rendered into ``docs/data-contracts.md``.

``pipelines.contracts_doc`` appends :func:`render_section` to the generated doc, so the tables stay next to
the code that implements them and a test fails when the committed doc is out of date.
"""

from __future__ import annotations

from assets.ingestion.standard.fhir_eob import (
    C4BB_PAYER_STATUS,
    OUTCOME_STATUS,
    SERVICE_CATEGORY_SYSTEM,
)
from assets.ingestion.standard.units import StandardReason
from assets.ingestion.standard.x12_834 import COVERAGE_LEVELS, RELATIONSHIPS
from assets.ingestion.standard.xapi import COMPLETION_ID_EXTENSION, CONTACT_HOURS_EXTENSION, VERB_STATUS

REASON_MEANINGS = {
    StandardReason.BAD_SEGMENT: "pyx12 found a segment or element the 834 implementation guide does not "
    "allow "
    "(column: the segment or element, e.g. `INS03`, `DMG02`)",
    StandardReason.MISSING_LOOP: "a loop the guide requires is absent (e.g. `2100A`, the member name)",
    StandardReason.MISSING_SEGMENT: "a segment or element the maintenance needs is absent (`DTP*348` on an "
    "addition, `DTP*349` on a termination, `HD04`, `HD05`)",
    StandardReason.BAD_ENVELOPE: "an IEA, GE or SE count or control number disagrees with what the file "
    "holds "
    "(a unit of its own; the members still load)",
    StandardReason.TRUNCATED_INTERCHANGE: "the file ends before its SE/GE/IEA trailers: one unit for the "
    "envelope, and the last member loop (it may be cut short); earlier members load",
    StandardReason.UNKNOWN_COVERAGE_LEVEL: "HD05 is not EMP, IND, ESP, ECH or FAM (also X12 levels the "
    "contract's tiers cannot say, e.g. TWO, SPO)",
    StandardReason.UNKNOWN_MEMBER: "a change, termination or reinstatement for coverage the member does not "
    "have in staging nor earlier in the file",
    StandardReason.NOT_A_RESOURCE: "a JSON line without `resourceType`, or a resource other than "
    "ExplanationOfBenefit",
    StandardReason.BAD_RESOURCE: "an ExplanationOfBenefit the FHIR R4 model (fhir.resources) refuses, a "
    "status/outcome outside their required codes, or no item",
    StandardReason.MISSING_PATIENT: "an ExplanationOfBenefit without `patient`",
    StandardReason.BAD_STATEMENT: "a statement the xAPI 1.0.3 structure (ralph's models) refuses (column: "
    "where, e.g. `result.score`)",
    StandardReason.MISSING_ACTOR: "a statement without `actor`",
    StandardReason.UNKNOWN_VERB: "a verb that says nothing about completion (e.g. `experienced`)",
    StandardReason.UNKNOWN_ACTOR: "an actor without an `account` (the LC user id): an email alone names no "
    "Learning Center user",
}

X12_834 = [
    (
        "`NM1*IL` NM109 (loop 2100A; NM101 `IL` or `74`)",
        "`hp_members.member_id`, `hp_enrollment.member_id`",
        "",
    ),
    ("`REF*0F` REF02 (loop 2000)", "`subscriber_id`", ""),
    (
        "INS02",
        "`relationship`",
        ", ".join(f"`{k}` {v}" for k, v in RELATIONSHIPS.items()) + "; any other code → `other`",
    ),
    ("NM104 / NM103", "`first_name` / `last_name`", "accented letters load as sent (outside X12's set)"),
    ("`DMG` DMG02 (D8)", "`birth_date`", "`CCYYMMDD` → date"),
    ("DMG03", "`sex`", "`F`, `M`, `U` as sent"),
    (
        "`PER*IP` PER04 where PER03 = `EM` (loop 2100A)",
        "`email`",
        "optional; other PER03 qualifiers are ignored",
    ),
    ("`N3` N301 (loop 2100A)", "`street`", "optional"),
    ("`N4` N401 / N402 / N403 (loop 2100A)", "`city` / `state` / `postal_code`", "optional"),
    ("`N1*P5` N104 (loop 1000A)", "`employer_id`", "the sponsor's id (N103 `94`: the plan's employer id)"),
    ("INS03", "how the HD loops change the spans", "see the maintenance table"),
    ("`HD` HD04 (loop 2300)", "`hp_enrollment.plan_id`", ""),
    (
        "HD05",
        "`coverage_tier`",
        ", ".join(f"`{k}`→`{v}`" for k, v in COVERAGE_LEVELS.items()) + "; else `unknown_coverage_level`",
    ),
    ("`DTP*348` (loop 2300)", "`coverage_start`", "benefit begin"),
    ("`DTP*349` (loop 2300)", "`coverage_end`", "benefit end (empty = open)"),
]

MAINTENANCE = [
    (
        "`021` addition",
        "each HD starts a span (plan, tier, begin, end or open); the same (plan, begin) is replaced",
    ),
    (
        "`001` change",
        "each HD starts a span at its begin date; the span open on that day ends the day before",
    ),
    ("`024` termination", "the span covering DTP*349 (or starting on DTP*348) ends on DTP*349"),
    (
        "`025` reinstatement",
        "the span starting on DTP*348 (else the plan's latest) is open again, or ends on DTP*349",
    ),
    (
        "`030` audit / full file",
        "each HD states a span as it is (inserted or replaced); absence ends nothing",
    ),
]

FHIR_EOB = [
    ("`identifier` with type `uc` (C4BBIdentifierType), else `id`", "`claim_id`", ""),
    ("`item.sequence`", "`line_number`", "one claim line per item"),
    (
        "`related` with relationship `prior`/`replaces`",
        "`original_claim_id`, `claim_type`",
        "related + `status` `cancelled` → `reversal`; related → `adjustment`; none → `original`",
    ),
    (
        "`patient` (identifier value, else the id of `Patient/<id>`)",
        "`member_id`",
        "absent → `missing_patient`",
    ),
    (
        "`provider.identifier` (system `http://hl7.org/fhir/sid/us-npi`) or a contained one",
        "`provider_npi`",
        "",
    ),
    ("`item.servicedDate` (else servicedPeriod.start, else billablePeriod.start)", "`service_date`", ""),
    ("`supportingInfo` `clmrecvddate` timingDate", "`received_date`", ""),
    ("`created`", "`processed_at`", "must carry its offset"),
    (
        "`outcome`; item adjudication `denialreason`",
        "`status`",
        ", ".join(f"`{k}`→`{v}`" for k, v in OUTCOME_STATUS.items())
        + "; a denial reason on the item → `denied`",
    ),
    (
        "`item.category` (system `" + SERVICE_CATEGORY_SYSTEM + "`)",
        "`service_category`",
        "the contract's codes",
    ),
    (
        "item adjudication `" + C4BB_PAYER_STATUS.rsplit("/", 1)[-1] + "` innetwork/outofnetwork "
        "(else supportingInfo `benefitpaymentstatus`)",
        "`network`",
        "`in` / `out`",
    ),
    ("item adjudication `submitted` amount", "`billed_amount`", ""),
    ("item adjudication `eligible` amount", "`allowed_amount`", "the allowed amount"),
    (
        "item adjudication `deductible`, `copay` (adjudication), `coinsurance`, `memberliability` "
        "(C4BBAdjudication)",
        "`hp_claim_adjudication.deductible`, `copay`, `coinsurance`, `member_liability`",
        "the payer's own member share, per line that carries any; compared with the engine in "
        "`marts.cost_share_differences` (payer share = member liability, else the sum of the three)",
    ),
]

XAPI = [
    (
        f"`context.extensions` `{COMPLETION_ID_EXTENSION}`, else `id`",
        "`completion_id`",
        "the LMS's own record id",
    ),
    ("`actor.account.name`", "`lc_user_id`", "no account → `unknown_actor`; normalised like the CSV's"),
    ("`object.id` (last path segment)", "`course_id`", "e.g. `…/courses/CRS0007` → `CRS0007`"),
    (
        "`verb.id`",
        "`status`",
        ", ".join(f"`{k.rsplit('/', 1)[-1]}`→`{v}`" for k, v in VERB_STATUS.items())
        + "; else `unknown_verb`",
    ),
    ("`timestamp`", "`completed_at`", "must carry its offset; stored as UTC (shown in org time)"),
    ("`result.score.raw` (else `scaled` × 100)", "`score`", ""),
    (
        f"`result.extensions` `{CONTACT_HOURS_EXTENSION}`",
        "`hours`",
        "contact hours credited (not `duration`)",
    ),
    ("`result.completion`, `result.success`", "(not stored)", "the verb decides the status"),
]


def _table(header: tuple[str, ...], rows) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *["| " + " | ".join(r) + " |" for r in rows],
    ]


def render_section() -> list[str]:
    return [
        "## Standard formats (`landing/x12_834/`, `landing/fhir_eob/`, `landing/xapi/`)",
        "",
        "These folders feed the staging tables above (`hp_members` + `hp_enrollment`, `hp_claims`, "
        "`lc_completions`); "
        "the mapped rows pass the same column rules. The ledger's `source` is the folder. A file reconciles "
        "in "
        "*units* (read = loaded + quarantined): an 834 member-level loop (INS) or envelope finding, one "
        "ExplanationOfBenefit (all its items), one statement. A unit with any bad field is quarantined "
        "whole; its "
        "`row_number` is the segment number of its first segment (834) or its line (NDJSON, xAPI); `raw` is "
        "the "
        "unit as landed. Staging rows carry `_file_name = <folder>/<file>`. Parsing: pyx12 (834 against "
        "005010X220A1), fhir.resources (R4B ExplanationOfBenefit), ralph (xAPI 1.0.3).",
        "",
        "### X12 834 → `hp_members`, `hp_enrollment`",
        "",
        *_table(("834 field", "contract column", "rule"), X12_834),
        "",
        "Maintenance (INS03), applied in file order (files in name order) to the spans staging holds:",
        "",
        *_table(("INS03", "effect on the member's spans"), MAINTENANCE),
        "",
        "A wrong segment terminator (the ISA's does not end the segments after it) rejects the file as "
        "`unreadable`: no segment can be read.",
        "",
        "### FHIR ExplanationOfBenefit (CARIN BB) → `hp_claims`, `hp_claim_adjudication`",
        "",
        *_table(("EOB field", "contract column", "rule"), FHIR_EOB),
        "",
        "### xAPI 1.0.3 statement → `lc_completions`",
        "",
        *_table(("statement field", "contract column", "rule"), XAPI),
        "",
        "### Unit reasons of the standard formats",
        "",
        *_table(("reason", "meaning"), [(f"`{r}`", REASON_MEANINGS[r]) for r in StandardReason]),
        "",
    ]
