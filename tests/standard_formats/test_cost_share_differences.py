"""The payer's adjudication on EOB lines against the cost-share engine: ``marts.cost_share_differences``."""

from __future__ import annotations

from decimal import Decimal

from assets.health_plan.cost_share_differences import build_cost_share_differences
from assets.ingestion.standard.load import ingest_standard
from assets.ingestion.standard.sources import STANDARD_BY_NAME
from assets.warehouse import open_warehouse
from tests.health_plan.warehouse import build
from tests.standard_formats.support import eob, land, ndjson

ADJ = "http://terminology.hl7.org/CodeSystem/adjudication"
C4BB = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"


def _with_payer_shares(resource: dict, **shares: str) -> dict:
    """The EOB's single item also carries the payer's member-share amounts (adjudication code → amount)."""
    for code, amount in shares.items():
        system = C4BB if code in ("coinsurance", "memberliability") else ADJ
        resource["item"][0]["adjudication"].append(
            {"category": {"coding": [{"system": system, "code": code}]}, "amount": {"value": float(amount)}}
        )
    return resource


def test_lines_where_the_payer_and_the_engine_disagree_are_published_with_both_values(settings):
    settings.root.mkdir(parents=True, exist_ok=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        build(
            conn
        )  # the engine: C1 (S1 lab 600) → 500 deductible + 20 coinsurance; C4 (S2 office visit) → 25 copay
        land(
            settings,
            "fhir_eob",
            "eob.ndjson",
            ndjson(
                _with_payer_shares(
                    eob("C1", "S1", lines=(("lab", "600.00", "600.00"),)), deductible="500", coinsurance="20"
                ),
                _with_payer_shares(
                    eob("C4", "S2", lines=(("office_visit", "120.00", "120.00"),)), copay="30"
                ),
                _with_payer_shares(
                    eob("C5", "S2", lines=(("lab", "200.00", "200.00"),)), memberliability="0"
                ),
            ),
        )
        ingest_standard(conn, STANDARD_BY_NAME["fhir_eob"], settings.landing_dir / "fhir_eob")
        assert build_cost_share_differences(conn) == 1
        got = conn.execute(
            "SELECT claim_id, line_number, payer_copay, payer_member_responsibility, engine_copay, "
            "engine_member_responsibility, difference FROM marts.cost_share_differences"
        ).fetchall()
    # C1 agrees (520 both); C5 is an original the adjustment A5 replaced, so the engine priced no line C5/1
    assert got == [
        ("C4", 1, Decimal("30.00"), Decimal("30.00"), Decimal("25.00"), Decimal("25.00"), Decimal("5.00"))
    ]


def test_without_any_eob_the_mart_is_empty(settings):
    settings.root.mkdir(parents=True, exist_ok=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        build(conn)
        assert build_cost_share_differences(conn) == 0
