"""The great-expectations suites run as Dagster asset checks: ERROR for broken invariants, WARN for
references."""

from collections import Counter

import dagster as dg
import duckdb
import pandas as pd

from assets.warehouse import open_warehouse
from checks.expectations import NotEqual, suite_for
from checks.gx_runner import validate_frame
from domain.contracts import source
from tests.pipeline.harness import header, land, run_ingest


def _evaluations(result) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def test_the_claims_suite_covers_keys_sets_ranges_and_normalised_npis():
    labels = [s.label() for s in suite_for(source("hp_claims"))]
    assert "ExpectCompoundColumnsToBeUnique(claim_id, line_number)" in labels
    assert "ExpectColumnValuesToBeInSet(claim_type)" in labels
    assert "ExpectColumnValuesToMatchRegex(provider_npi)" in labels
    money = [s for s in suite_for(source("hp_claims")) if s.kwargs.get("column") == "billed_amount"]
    assert any(s.kwargs.get("row_condition") == NotEqual("claim_type", "reversal") for s in money)


def test_negative_money_passes_on_a_reversal_line_only():
    specs = [
        s
        for s in suite_for(source("hp_claims"))
        if s.kwargs.get("column") == "billed_amount" and "row_condition" in s.kwargs
    ]
    reversal = pd.DataFrame({"claim_type": ["original", "reversal"], "billed_amount": [120.0, -120.0]})
    [outcome] = validate_frame(reversal, specs, "claims_reversal")
    assert outcome.success
    negative_original = pd.DataFrame(
        {"claim_type": ["original", "adjustment"], "billed_amount": [-5.0, -1.0]}
    )
    [outcome] = validate_frame(negative_original, specs, "claims_negative")
    assert not outcome.success and outcome.unexpected_count == 2


def test_unknown_references_warn_and_a_broken_invariant_fails_the_suite(settings):
    land(settings, "hp_employers", "e.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    members = (
        f"{header('hp_members')}\nM1,M1,self,Ana,Diaz,1980-04-01,F,E1\nM2,M1,child,Bo,Diaz,2010-05-05,,E9\n"
    )
    land(settings, "hp_members", "m.csv", members)
    first = _evaluations(run_ingest(settings, with_suites=True))
    assert first[("hp_members", "expectations")].passed
    refs = first[("hp_members", "references")]
    # M2's employer E9 does not exist: 1 unexpected value, reported as a warning
    assert (refs.passed, refs.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert "ExpectColumnValuesToBeInSet(employer_id__exists): 1 unexpected" in refs.description

    with open_warehouse(str(settings.warehouse_path)) as conn:  # break the key invariant behind ingest's back
        conn.execute("INSERT INTO staging.hp_employers SELECT * FROM staging.hp_employers")
    second = _evaluations(run_ingest(settings, with_suites=True))
    suite = second[("hp_employers", "expectations")]
    assert (suite.passed, suite.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert "ExpectColumnValuesToBeUnique(employer_id): 2 unexpected" in suite.description


def test_reference_existence_is_computed_in_duckdb_and_empty_references_are_allowed():
    from checks.expectations import reference_suite_for, select_for_references
    from checks.gx_runner import validate_frame
    from tests.support import create_staging_table

    people = [
        {"person_id": "P1", "manager_person_id": None},  # no manager: allowed
        {"person_id": "P2", "manager_person_id": "P1"},  # exists
        {"person_id": "P3", "manager_person_id": "P9"},  # unknown
        {"person_id": "P4", "manager_person_id": "P9"},  # unknown again: counted per row
        {"person_id": "P5", "manager_person_id": "P2"},  # exists
    ]
    with duckdb.connect() as conn:
        create_staging_table(conn, "lc_people", people)
        frame = conn.execute(select_for_references(source("lc_people"), {"lc_people"})).df()
    found = Counter(None if pd.isna(v) else bool(v) for v in frame["manager_person_id__exists"])
    assert found == {True: 2, False: 2, None: 1}
    (outcome,) = validate_frame(frame, reference_suite_for(source("lc_people")), "lc_people")
    # 5 rows: 1 empty (skipped), 2 found, 2 pointing at P9 → 2 unexpected
    assert (outcome.success, outcome.unexpected_count) == (False, 2)


def test_a_reference_to_a_table_never_built_finds_nothing():
    from checks.expectations import select_for_references
    from tests.support import create_staging_table

    with duckdb.connect() as conn:
        create_staging_table(conn, "hp_enrollment", [{"member_id": "M1", "plan_id": "PL1"}])
        create_staging_table(conn, "hp_plans", [{"plan_id": "PL1"}])
        # hp_members does not exist: M1 cannot be found, PL1 can
        frame = conn.execute(
            select_for_references(source("hp_enrollment"), {"hp_enrollment", "hp_plans"})
        ).df()
    assert frame.to_dict("records") == [{"member_id__exists": False, "plan_id__exists": True}]
