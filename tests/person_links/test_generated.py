"""The link rule on generated tiny data, against the truth the generator planted (the same figures as
``portalytics bench --only person_links``): staging loaded by the real ingest, the duplicate model run as the
pipeline runs it, then the rule."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from assets.common import replace_table, replace_table_from_df
from assets.ingestion.load import ingest_source
from domain.ce.duplicates import DuplicatePolicy, find_duplicate_accounts
from domain.ce.duplicates.prepare import INPUT_COLUMNS
from domain.contracts import source
from domain.person_links import (
    person_link_review_sql,
    person_link_rows_sql,
    person_links_sql,
    plan_hr_mismatch_sql,
)
from pipelines.bench.person_links import link_figures, read_truth
from tests.generator.conftest import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    settings = generate(tmp_path_factory.mktemp("tiny-links"))
    conn = duckdb.connect()
    for name in ("lc_people", "ce_accounts", "hp_members", "hp_enrollment", "auth_events"):
        ingest_source(conn, source(name), settings.landing_dir / name)
    accounts = conn.sql(f"SELECT {', '.join(INPUT_COLUMNS)} FROM staging.ce_accounts").to_arrow_table()
    result = find_duplicate_accounts(accounts, DuplicatePolicy())
    replace_table_from_df(conn, "marts.duplicate_account_pairs", result.pairs)
    replace_table_from_df(conn, "marts.duplicate_account_clusters", result.clusters)
    conn.execute("CREATE TABLE marts.ce_account_survivors (account_id VARCHAR, survivor_account_id VARCHAR)")
    conn.execute("CREATE TEMP TABLE rows AS " + person_link_rows_sql().sql, person_link_rows_sql().params)
    replace_table(conn, "marts.person_links", person_links_sql("rows"))
    replace_table(conn, "marts.person_link_review", person_link_review_sql("rows"))
    return settings, conn


def test_every_planted_source_is_present_in_the_truth(world):
    settings, _ = world
    with (settings.truth_dir / "person_links.csv").open(encoding="utf-8") as fh:
        sources = {r["source"] for r in csv.DictReader(fh)}
    assert {"hr", "ce_account", "plan_member", "portal_user:learning_center", "portal_user:ce_portal",
            "portal_user:health_plans", "portal_user:patient_portal"} <= sources  # fmt: skip


def test_links_are_precise_and_no_true_link_is_lost(world):
    settings, conn = world
    figures = {f.name: f for f in link_figures(conn, read_truth(settings.truth_dir))}
    assert figures["precision all"].value == 1.0, figures["precision all"].notes
    assert figures["recall all"].value >= 0.95, figures["recall all"].notes
    assert figures["recall plan_member"].value == 1.0
    # what is not linked is waiting for review: nothing silently dropped
    assert figures["true links neither linked nor for review"].value == 0


def test_the_planted_namesake_is_only_shown_for_review(world):
    _, conn = world
    rows = conn.execute("SELECT method FROM marts.person_link_review WHERE source = 'plan_member'").fetchall()
    assert rows == [("name_birth_only",)]


def test_the_plan_against_hr_finds_what_the_generator_planted(world):
    settings, conn = world
    planted = json.loads((settings.truth_dir / "planted.json").read_text(encoding="utf-8"))["person_links"]
    mismatches = plan_hr_mismatch_sql()
    kinds = dict(
        conn.execute(
            f"SELECT kind, count(*) FROM ({mismatches.sql}) GROUP BY kind", mismatches.params
        ).fetchall()
    )
    assert kinds.get("terminated_still_enrolled", 0) == planted["terminated_still_enrolled"]
    assert kinds.get("enrolled_without_active_hr", 0) == planted["enrolled_without_active_hr"]
    assert planted["enrolled_without_active_hr"] >= 1 and planted["terminated_still_enrolled"] >= 1
