"""Pairwise precision / recall / F1 of clusters against planted truth, checked by hand."""

from domain.ce.duplicates.evaluation import blocking_recall, co_clustered_pairs, score_clusters


def test_a_cluster_of_three_holds_three_pairs_and_singletons_hold_none():
    rows = [("c1", "A"), ("c1", "B"), ("c1", "C"), ("c2", "D")]
    assert co_clustered_pairs(rows) == {("A", "B"), ("A", "C"), ("B", "C")}


def test_scores_count_pairs_not_clusters():
    truth = [("t1", "A"), ("t1", "B"), ("t1", "C"), ("t2", "D"), ("t2", "E")]  # pairs AB AC BC DE
    predicted = [("p1", "A"), ("p1", "B"), ("p2", "D"), ("p2", "E"), ("p2", "F")]  # pairs AB DE DF EF
    scores = score_clusters(predicted, truth)
    # found AB, DE (2 true positives); DF, EF are false (2); AC, BC were missed (2)
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (2, 2, 2)
    assert scores.precision == 0.5  # 2 / (2 + 2)
    assert scores.recall == 0.5  # 2 / (2 + 2)
    assert scores.f1 == 0.5  # 2 * .5 * .5 / (.5 + .5)


def test_perfect_and_empty_clusterings():
    truth = [("t1", "A"), ("t1", "B")]
    assert score_clusters([("x", "B"), ("x", "A")], truth).f1 == 1.0
    nothing = score_clusters([], truth)
    assert (nothing.precision, nothing.recall, nothing.f1) == (
        1.0,
        0.0,
        0.0,
    )  # nothing claimed, nothing found


def test_blocking_recall_is_the_share_of_true_pairs_that_get_compared():
    truth = [("t1", "A"), ("t1", "B"), ("t1", "C")]  # AB AC BC
    # BA is AB seen from the other side; XY is no true pair
    assert blocking_recall([("B", "A"), ("B", "C"), ("X", "Y")], truth) == 2 / 3
