"""Relatives who look alike are two people: twins, father and son (Jr/Sr), spouses. None is ever merged.

Hand-built, each next to the same person's real duplicate so the model has something to merge; scored with the
fixed parameters (few accounts) and with the trained model (the synthetic population around them).
"""

import datetime as dt

import pandas as pd
import pytest

from domain.ce.duplicates import DuplicatePolicy, find_duplicate_accounts
from tests.ce.duplicates.accounts import account
from tests.ce.duplicates.synthetic import synthetic_accounts

HOME = dict(street="77 Birch Lane", postal_code="60614")
RELATIVES = [
    # twins: same surname, birth date and address, different first names, phones, e-mails
    account(
        "T1",
        "Maria",
        "Garcia",
        "maria.garcia@icloud.com",
        mobile_phone="+18475550111",
        birth_date=dt.date(1990, 6, 30),
        **HOME,
    ),
    account(
        "T2",
        "Sofia",
        "Garcia",
        "sofia.garcia@icloud.com",
        mobile_phone="+18475550122",
        birth_date=dt.date(1990, 6, 30),
        **HOME,
    ),
    # father and son: same name, address and home phone, born 28 years apart
    account(
        "J1",
        "John",
        "Walker",
        "jwalker@aol.com",
        mobile_phone="+13125550188",
        birth_date=dt.date(1958, 3, 2),
        street="9 Pine Court",
        postal_code="60601",
    ),
    account(
        "J2",
        "John",
        "Walker Jr",
        "johnwalker99@gmail.com",
        mobile_phone="(312) 555-0188",
        birth_date=dt.date(1986, 7, 19),
        street="9 Pine Ct",
        postal_code="60601",
    ),
    # father and son, no birth dates: both physicians, each with his own NPI
    account(
        "N1", "Peter", "Novak", "pnovak@gmail.com", npi="1234567893", street="5 Elm St", postal_code="53202"
    ),
    account(
        "N2",
        "Peter",
        "Novak",
        "peter.novak@yahoo.com",
        npi="1245319599",
        street="5 Elm St",
        postal_code="53202",
    ),
    # spouses: same surname, address and home phone; no birth dates to tell them apart
    account("S1", "Karen", "Olsen", "karen.olsen@gmail.com", mobile_phone="+16085550143", **HOME),
    account("S2", "Erik", "Olsen", "erik.olsen@gmail.com", mobile_phone="608-555-0143", **HOME),
    # a real duplicate among them: Karen's old account, married name hyphenated, same phone and birth date
    account("S3", "Karen", "Olsen-Berg", "kberg@outlook.com", mobile_phone="608.555.0143", **HOME),
]
PAIRS = {
    "twins": ("T1", "T2"),
    "father and son": ("J1", "J2"),
    "father and son by NPI": ("N1", "N2"),
    "spouses": ("S1", "S2"),
    "spouse and married name": ("S2", "S3"),
}


def _clusters(rows, policy=DuplicatePolicy()) -> dict[str, str]:
    result = find_duplicate_accounts(pd.DataFrame(rows), policy)
    return {r["account_id"]: r["cluster_id"] for r in result.clusters.to_pylist()}


def _together(clusters: dict[str, str], a: str, b: str) -> bool:
    return a in clusters and clusters.get(a) == clusters.get(b)


@pytest.mark.parametrize("kind", PAIRS)
def test_relatives_are_not_merged_with_the_fixed_parameters(kind):
    assert not _together(_clusters(RELATIVES), *PAIRS[kind])


def test_a_married_name_with_the_same_phone_is_merged_with_the_fixed_parameters():
    assert _together(_clusters(RELATIVES), "S1", "S3")


def test_relatives_are_not_merged_by_the_trained_model():
    population, _ = synthetic_accounts(n_people=450, seed=11)
    clusters = _clusters(population + RELATIVES)
    for kind, pair in PAIRS.items():
        assert not _together(clusters, *pair), kind
    assert _together(clusters, "S1", "S3")
