"""The person-link rule on the hand-built world of ``world.py``: every link and every review row worked out by
hand."""

from __future__ import annotations

import pytest

from domain.person_links import (
    PersonLinkPolicy,
    person_link_review_sql,
    person_link_rows_sql,
    person_links_sql,
)
from domain.person_links.links import AMBIGUOUS, BELOW_CERTAINTY, NAME_AND_BIRTH_ONLY
from tests.person_links import world

LC, CE, HP, PP = (
    f"portal_user:{p}" for p in ("learning_center", "ce_portal", "health_plans", "patient_portal")
)


def _resolved(conn, policy=PersonLinkPolicy()):
    rows = person_link_rows_sql(policy)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE rows AS {rows.sql}", rows.params)
    links = conn.execute(person_links_sql("rows")).fetchall()
    review = conn.execute(person_link_review_sql("rows")).fetchall()
    return links, review


@pytest.fixture(scope="module")
def resolved():
    return _resolved(world.build())


def test_links_follow_shared_ids_merges_the_duplicate_model_names_with_email_or_address_and_portal_users(
    resolved,
):
    links, _ = resolved
    assert [(k, s, i, m, p) for k, s, i, m, p, _ in links] == [
        ("P1", "ce_account", "CE1", "person_id", None),
        ("P1", "ce_account", "CE2", "duplicate_model", 0.999),  # paired with CE1 directly
        ("P1", "ce_account", "CE3", "duplicate_model", 0.995),  # CE1's cluster; weakest pair CE2-CE3
        ("P1", "hr", "P1", "hr_roster", None),
        ("P1", "plan_member", "M1", "name_birth_email", None),  # e-mail agrees whatever its case
        ("P1", CE, "ana.d@gmail.com", "portal_directory", 0.999),  # CE2's e-mail: inherits CE2's probability
        ("P1", HP, "ana.diaz@lakeshore.org", "exact_email", None),
        ("P1", LC, "ana.diaz", "portal_directory", None),
        ("P2", "ce_account", "CE12", "person_id", None),
        ("P2", "ce_account", "CE4", "person_id", None),
        ("P2", "hr", "P2", "hr_roster", None),
        ("P3", "ce_account", "CE6", "accepted_merge", None),  # merged into CE7, which carries P3
        ("P3", "ce_account", "CE7", "person_id", None),
        ("P3", "hr", "P3", "hr_roster", None),
        ("P3", "plan_member", "M2", "name_birth_address", None),  # " cy"/"PARK", "5 elm ave" 60602
        ("P3", LC, "cy.park", "portal_directory", None),
        ("P3", PP, "cy@gmail.com", "exact_email", None),  # the e-mail of merged CE6
        ("P4", "ce_account", "CE10", "person_id", None),
        ("P4", "ce_account", "CE9", "person_id", None),
        ("P4", "hr", "P4", "hr_roster", None),
        ("P5", "ce_account", "CE14", "person_id", None),
        ("P5", "hr", "P5", "hr_roster", None),
        ("P5", "plan_member", "M6", "name_birth_email", None),
        ("P6", "ce_account", "CE15", "person_id", None),
        ("P6", "hr", "P6", "hr_roster", None),
    ]


def test_links_below_certainty_or_to_two_people_go_to_review_with_the_reason(resolved):
    _, review = resolved
    assert [(s, i, k, m, p, r) for k, s, i, m, p, _, r in review] == [
        ("ce_account", "CE5", "P2", "duplicate_model", 0.93, BELOW_CERTAINTY),
        ("plan_member", "M3", "P2", "name_birth_only", None, NAME_AND_BIRTH_ONLY),
        (CE, "benng@gmail.com", "P2", "portal_directory", 0.93, f"{BELOW_CERTAINTY} (ce account CE5)"),
        (PP, "family@gmail.com", "P2", "exact_email", None, AMBIGUOUS),  # CE12's e-mail ...
        (PP, "family@gmail.com", "P4", "exact_email", None, AMBIGUOUS),  # ... and CE10's
    ]


def test_a_kept_separate_pair_an_unknown_person_id_and_an_unmatched_user_link_nothing(resolved):
    links, review = resolved
    everything = {(s, i) for _, s, i, *_ in links} | {(s, i) for _, s, i, *_ in review}
    assert ("ce_account", "CE8") not in everything  # kept separate by the CE team
    assert ("ce_account", "CE13") not in everything  # carries P999, whom HR does not know
    assert (PP, "admin") not in everything and (PP, "x1") not in everything
    assert ("plan_member", "M4") not in everything


def test_every_link_keeps_its_evidence(resolved):
    links, _ = resolved
    evidence = {(s, i): e for _, s, i, _, _, e in links}
    assert evidence[("ce_account", "CE2")].startswith(
        "duplicate model pairs it with CE1 (p=0.999): names agree"
    )
    assert (
        evidence[("ce_account", "CE3")]
        == "duplicate model clusters it with CE1 in CE1 (weakest pair p=0.995)"
    )
    assert (
        evidence[("plan_member", "M2")] == "first name, last name and birth date agree; street and ZIP agree"
    )
    assert evidence[(PP, "cy@gmail.com")] == "the user name is the e-mail of ce account CE6"


def test_raising_the_certainty_bar_moves_model_links_to_review_and_the_users_they_reach_with_them():
    links, review = _resolved(world.build(), PersonLinkPolicy(certain_probability=0.998))
    linked = {(s, i) for _, s, i, *_ in links}
    assert ("ce_account", "CE2") in linked  # 0.999 still clears 0.998
    assert ("ce_account", "CE3") not in linked  # 0.995 does not
    assert ("ce_account", "CE3", "P1", 0.995) in {(s, i, k, p) for k, s, i, _, p, _, _ in review}


def test_a_person_id_on_the_account_wins_over_the_duplicate_model():
    conn = world.build()
    # CE9 (P4's own account) now also pairs with CE1 at 0.999: it stays P4's, and is not offered to P1.
    conn.execute("INSERT INTO marts.duplicate_account_pairs VALUES ('CE1', 'CE9', 0.999, 'x', NULL)")
    links, review = _resolved(conn)
    assert [k for k, s, i, *_ in links if (s, i) == ("ce_account", "CE9")] == ["P4"]
    assert not [r for r in review if r[1:3] == ("ce_account", "CE9")]


def test_the_policy_refuses_nonsense():
    with pytest.raises(ValueError, match="certain_probability"):
        PersonLinkPolicy(certain_probability=1.5)
    with pytest.raises(ValueError, match="must not exceed"):
        PersonLinkPolicy(certain_probability=0.6, review_probability=0.7)


def test_scores_count_links_per_source_and_overall():
    from domain.person_links.evaluation import score_links

    truth = [("P1", "hr", "P1"), ("P1", "ce_account", "CE1"), ("P1", "ce_account", "CE2"), ("P2", "hr", "P2")]
    found = [("P1", "hr", "P1"), ("P1", "ce_account", "CE1"), ("P2", "ce_account", "CE2"), ("P2", "hr", "P2")]
    scores = score_links(found, truth)
    # CE2 went to the wrong person: one false positive and one false negative
    assert (scores["ce_account"].precision, scores["ce_account"].recall) == (0.5, 0.5)
    assert (scores["hr"].precision, scores["hr"].recall) == (1.0, 1.0)
    assert (scores["all"].true_positives, scores["all"].false_positives, scores["all"].false_negatives) == (
        3,
        1,
        1,
    )
