"""Scoring, clustering and classifying duplicate accounts (Splink on DuckDB, fixed and trained models)."""

import math

import ibis
import pandas as pd

from domain.ce.duplicates import DuplicatePolicy, find_duplicate_accounts
from domain.ce.duplicates.blocking import BLOCKING_KEYS, count_blocked_pairs
from domain.ce.duplicates.detect import CLUSTER_COLUMNS, PAIR_COLUMNS, WEIGHT_COLUMNS
from domain.ce.duplicates.evaluation import blocking_recall, co_clustered_pairs, score_clusters
from domain.ce.duplicates.plan import plan_model
from domain.ce.duplicates.prepare import prepare_accounts
from tests.ce.duplicates.accounts import ACCOUNTS, classic_pair_weight
from tests.ce.duplicates.synthetic import synthetic_accounts


def _detect(rows, **policy):
    return find_duplicate_accounts(pd.DataFrame(rows), DuplicatePolicy(**policy), keep_blocked_pairs=True)


def _pairs(result) -> dict[tuple[str, str], dict]:
    return {(r["account_id_l"], r["account_id_r"]): r for r in result.pairs.to_pylist()}


def _clusters(result) -> dict[str, dict]:
    return {r["account_id"]: r for r in result.clusters.to_pylist()}


def _truth_rows(truth):
    return [(t["cluster_id"], t["account_id"]) for t in truth]


def test_marts_have_the_published_columns_in_order():
    result = _detect(ACCOUNTS)
    assert tuple(result.pairs.column_names) == PAIR_COLUMNS
    assert PAIR_COLUMNS[:3] == ("account_id_l", "account_id_r", "match_probability")
    assert tuple(result.clusters.column_names) == CLUSTER_COLUMNS
    assert CLUSTER_COLUMNS[:2] == ("cluster_id", "account_id")


def test_the_classic_pair_is_scored_with_the_fixed_parameters():
    result = _detect(ACCOUNTS)
    assert result.training.mode == "fixed"  # 7 accounts < 500
    pair = _pairs(result)[("CE1", "CE2")]
    assert abs(pair["match_weight"] - classic_pair_weight()) < 1e-5  # 7 accounts
    assert pair["match_probability"] == 1.0  # 2^62 : 1 rounds to 1 at six decimals
    assert pair["is_match"] and pair["cluster_id"] == "CE1"
    assert (
        pair["evidence"]
        == "same birth date, same phone, e-mail differs, same license, same address, names: Robert ~ Bob"
    )
    assert (pair["name_level"], pair["npi_level"], pair["address_level"]) == ("nickname", "missing", "exact")


def test_the_sso_account_is_the_recommended_survivor_of_a_personal_plus_organisation_pair():
    clusters = _clusters(_detect(ACCOUNTS))
    # CE2 is older, but the SSO account wins
    for acc in ("CE1", "CE2"):
        assert clusters[acc]["cluster_id"] == "CE1"
        assert clusters[acc]["classification"] == "personal_plus_organisation"
        assert clusters[acc]["recommended_survivor_account_id"] == "CE1"
        assert clusters[acc]["cluster_size"] == 2
    assert clusters["CE1"]["is_recommended_survivor"] and not clusters["CE2"]["is_recommended_survivor"]


def test_three_accounts_of_one_person_are_a_third_account_finding():
    clusters = _clusters(_detect(ACCOUNTS))
    members = {a: c for a, c in clusters.items() if c["cluster_id"] == "CE3"}
    assert set(members) == {"CE3", "CE4", "CE5"}
    assert {c["classification"] for c in members.values()} == {"third_account"}
    # nobody signs in by SSO; CE4's e-mail is on the organisation domain (CE1 uses it by SSO), so CE4 beats
    # the older CE3
    assert {c["recommended_survivor_account_id"] for c in members.values()} == {"CE4"}
    assert [a for a, c in members.items() if c["is_recommended_survivor"]] == ["CE4"]


def test_twins_are_not_merged():
    result = _detect(ACCOUNTS)
    assert "CE6" not in _clusters(result) and "CE7" not in _clusters(result)
    twins = _pairs(result).get(("CE6", "CE7"))
    # same birth date log2(.93/1e-4) = +13.2 and address log2(.6/1e-4) = +12.6 against an unrelated first name
    # log2(1e-10/2e-3) = -24.3, phones log2(.35/(1-1.1e-4)) = -1.5 and e-mails log2(.65/(1-1e-4)) = -0.6
    # differing, and the prior log2((.05/6)/(1-.05/6)) = -6.9: -7.5 bits, p = 0.005, below the review
    # threshold
    assert twins is None


def test_pairs_are_ordered_and_only_published_above_the_review_threshold():
    result = _detect(ACCOUNTS)
    for pair in result.pairs.to_pylist():
        assert pair["account_id_l"] < pair["account_id_r"]
        assert pair["match_probability"] >= 0.5
    strict = _detect(ACCOUNTS, review_threshold=0.999)
    assert all(p["match_probability"] >= 0.999 for p in strict.pairs.to_pylist())


def test_nothing_to_compare_gives_empty_typed_marts():
    for rows in ([], ACCOUNTS[:1]):
        result = _detect(rows) if rows else find_duplicate_accounts(pd.DataFrame(columns=list(ACCOUNTS[0])))
        assert result.pairs.num_rows == 0 and result.clusters.num_rows == 0
        assert tuple(result.pairs.column_names) == PAIR_COLUMNS
        assert str(result.clusters.schema.field("cluster_size").type) == "int32"


def test_planted_duplicates_are_found_with_the_fixed_model():
    accounts, truth = synthetic_accounts(n_people=300, seed=7)
    result = _detect(accounts)
    assert result.training.mode == "fixed"
    scores = score_clusters(
        ((r["cluster_id"], r["account_id"]) for r in result.clusters.to_pylist()), _truth_rows(truth)
    )
    assert scores.f1 >= 0.99, scores
    blocked = [(r["account_id_l"], r["account_id_r"]) for r in result.blocked_pairs.to_pylist()]
    assert blocking_recall(blocked, _truth_rows(truth)) == 1.0
    n = len(accounts)
    assert result.comparisons < 0.01 * n * (n - 1) / 2  # blocking compares under 1% of all pairs


def test_planted_duplicates_are_found_with_the_trained_model():
    accounts, truth = synthetic_accounts(n_people=450, seed=11)
    assert len(accounts) >= 500
    result = _detect(accounts)
    assert result.training.mode == "trained" and result.training.failed_sessions == ()
    scores = score_clusters(
        ((r["cluster_id"], r["account_id"]) for r in result.clusters.to_pylist()), _truth_rows(truth)
    )
    assert scores.f1 >= 0.99, scores


def test_blocking_counts_the_same_pairs_in_plain_sql_as_splink_compares():
    import duckdb

    accounts, _ = synthetic_accounts(n_people=200, seed=3)
    result = _detect(accounts)
    conn = duckdb.connect()
    table = prepare_accounts(conn, pd.DataFrame(accounts))
    keys = plan_model(conn, table, len(accounts), DuplicatePolicy()).blocking.keys
    assert len(keys) == len(BLOCKING_KEYS)  # every key has data and stays under the pair budget
    accounts_table = ibis.duckdb.from_connection(conn).table(table)
    assert count_blocked_pairs(accounts_table, keys).execute() == result.comparisons


def test_reruns_give_identical_marts():
    accounts, _ = synthetic_accounts(n_people=450, seed=5)
    first, second = _detect(accounts), _detect(accounts)
    assert first.pairs.equals(second.pairs)
    assert first.clusters.equals(second.clusters)


def test_accounts_without_any_organisation_sign_in_are_still_clustered():
    # No SSO account, so no organisation e-mail domain is known: Robert's two password accounts still pair up.
    rows = [a | {"login_method": "password"} for a in ACCOUNTS if a["account_id"] in ("CE1", "CE2", "CE6")]
    result = _detect(rows)
    assert result.organisation_domains == ()
    assert {a for a, c in _clusters(result).items() if c["cluster_id"] == "CE1"} == {"CE1", "CE2"}


def test_the_waterfall_columns_add_up_to_the_match_weight_field_by_field():
    pair = _pairs(_detect(ACCOUNTS))[("CE1", "CE2")]
    # the fixed m/u of comparisons.py, log2(m/u) per field (see classic_pair_weight); NPI missing on CE2: 0
    prior = 0.05 / (len(ACCOUNTS) - 1)
    expected = {
        "prior_weight": math.log2(prior / (1 - prior)),
        "name_weight": math.log2(0.12 / 1e-5),
        "birth_date_weight": math.log2(0.93 / 1e-4),
        "mobile_phone_weight": math.log2(0.60 / 1e-5),
        "email_local_weight": math.log2(0.65 / (1 - 1e-4)),
        "license_weight": math.log2(0.85 / 1e-5),
        "npi_weight": 0.0,
        "address_weight": math.log2(0.60 / 1e-4),
        "generation_weight": 0.0,
    }
    assert tuple(expected) == WEIGHT_COLUMNS
    for column, weight in expected.items():
        assert abs(pair[column] - weight) < 1e-5, column
    assert abs(sum(pair[c] for c in WEIGHT_COLUMNS) - pair["match_weight"]) < 1e-5


def test_merges_decided_by_the_ce_team_teach_the_model_its_m_probabilities():
    accounts, truth = synthetic_accounts(n_people=300, seed=7)
    merged = co_clustered_pairs(_truth_rows(truth))
    assert len(merged) >= 20  # DuplicatePolicy.min_labels_to_train
    plain = _detect(accounts)
    taught = find_duplicate_accounts(pd.DataFrame(accounts), DuplicatePolicy(), merged=merged)
    assert plain.training.labelled_pairs == 0 and taught.training.labelled_pairs == len(merged)
    # Fixed model: m of the name's "exact" level becomes the share of merged pairs at it (the only session
    # that estimated m), so an exact-name pair's name weight moves by log2(share / 0.70).
    levels = {(p["account_id_l"], p["account_id_r"]): p["name_level"] for p in plain.pairs.to_pylist()}
    share = sum(levels.get(p) == "exact" for p in merged) / len(merged)
    exact_pair = next(k for k, v in _pairs(plain).items() if v["name_level"] == "exact")
    moved = _pairs(taught)[exact_pair]["name_weight"] - _pairs(plain)[exact_pair]["name_weight"]
    assert abs(moved - math.log2(share / 0.70)) < 1e-5
    few = find_duplicate_accounts(pd.DataFrame(accounts), DuplicatePolicy(), merged=sorted(merged)[:19])
    assert few.training.labelled_pairs == 0  # too few decisions say little
