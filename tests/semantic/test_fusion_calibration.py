"""Reciprocal rank fusion and the per-issue thresholds learnt from decisions."""

import pytest

from clearinghouse.semantic.calibration import NEVER, Decision, calibrate
from clearinghouse.semantic.fusion import reciprocal_rank_fusion


def test_a_document_found_by_both_rankings_comes_first():
    fused = reciprocal_rank_fusion([[1, 2, 3], [4, 3, 5]])
    assert fused[0][0] == 3
    assert {pk for pk, _ in fused} == {1, 2, 3, 4, 5}


def test_weights_favour_a_ranking_and_ties_keep_first_seen_order():
    assert reciprocal_rank_fusion([[1], [2]])[0][0] == 1
    assert reciprocal_rank_fusion([[1], [2]], weights=[1, 2])[0][0] == 2
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1]], weights=[1, 2])


def test_without_any_decision_every_issue_has_the_default_threshold():
    result = calibrate([], [1, 2], default=0.5)
    assert {t.threshold for t in result.values()} == {0.5}
    assert result[1].decisions == 0


def test_the_threshold_is_the_lowest_score_that_reaches_the_target():
    decisions = [Decision(1, s, True) for s in (0.6, 0.65, 0.7, 0.75, 0.8, 0.9)]
    decisions += [Decision(1, s, False) for s in (0.3, 0.35, 0.4, 0.45)]
    result = calibrate(decisions, [1], target=0.9, prior_weight=0)
    assert result[1].threshold == 0.6
    assert result[1].precision == pytest.approx(1.0)
    assert result[1].decisions == 10


def test_an_issue_whose_suggestions_are_always_wrong_is_never_applied():
    decisions = [Decision(2, s, False) for s in (0.5, 0.6, 0.7)]
    decisions += [Decision(1, 0.5 + n / 100, True) for n in range(12)]
    result = calibrate(decisions, [1, 2], target=0.9, prior_weight=1)
    assert result[2].threshold == NEVER
    assert result[1].threshold == pytest.approx(0.5)


def test_an_issue_with_few_decisions_leans_on_all_issues():
    decisions = [Decision(1, s / 100, s >= 50) for s in range(30, 90, 2)]
    decisions.append(Decision(2, 0.35, True))  # one lucky low-scoring success
    result = calibrate(decisions, [2], target=0.9, prior_weight=5)
    assert result[2].threshold > 0.35
