"""Aggregation: weighted totals, per-reviewer normalization that corrects harsh and lenient
reviewers, ranking and the disagreement flag (pure functions)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innobridge.review.models import DEFAULT_CRITERIA
from innobridge.review.scoring import Review, ScoreError, aggregate, reviewer_z, weighted_total


def test_weighted_total_uses_the_form_weights_and_refuses_gaps() -> None:
    scores = {"颠覆性": 100, "可行性": 50, "影响力": 50, "团队": 50, "市场": 50}
    assert weighted_total(scores, DEFAULT_CRITERIA) == Decimal("65.00")
    with pytest.raises(ScoreError, match="市场"):
        weighted_total({k: v for k, v in scores.items() if k != "市场"}, DEFAULT_CRITERIA)
    with pytest.raises(ScoreError):
        weighted_total({**scores, "团队": 101}, DEFAULT_CRITERIA)


def test_normalization_corrects_a_harsh_reviewer() -> None:
    # reviewer 1 is harsh (40s), reviewer 2 lenient (90s); both prefer item 10 over item 11.
    # Item 12 was seen only by the lenient reviewer, whose low mark for it is still an 88.
    reviews = [
        Review(10, 1, Decimal(48)), Review(11, 1, Decimal(40)),
        Review(10, 2, Decimal(96)), Review(11, 2, Decimal(92)), Review(12, 2, Decimal(88)),
    ]  # fmt: skip
    ranked = aggregate(reviews, [10, 11, 12])
    assert [r.item for r in ranked] == [10, 11, 12]
    by_item = {r.item: r for r in ranked}
    assert by_item[12].mean == Decimal("88.00") > by_item[10].mean  # raw means would rank 12 first
    assert by_item[12].z is not None
    assert by_item[12].z < 0


def test_disagreement_is_flagged_when_totals_spread_twenty_points() -> None:
    ranked = aggregate([Review(1, 1, Decimal(90)), Review(1, 2, Decimal(65)), Review(2, 1, Decimal(80)), Review(2, 2, Decimal(75))], [1, 2])  # fmt: skip
    flags = {r.item: r.disagreement for r in ranked}
    assert flags == {1: True, 2: False}


def test_items_without_reviews_rank_last() -> None:
    ranked = aggregate([Review(1, 1, Decimal(50))], [1, 2])
    assert [r.item for r in ranked] == [1, 2]
    assert ranked[1].mean is None
    assert ranked[1].count == 0


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 100)), min_size=1, max_size=30, unique_by=lambda t: (t[0], t[1])))  # fmt: skip
def test_each_reviewers_z_scores_average_to_zero(rows: list[tuple[int, int, int]]) -> None:
    reviews = [Review(item, reviewer, Decimal(total)) for item, reviewer, total in rows]
    z = reviewer_z(reviews)
    for reviewer in {r.reviewer for r in reviews}:
        own = [value for (item, who), value in z.items() if who == reviewer]
        assert abs(sum(own)) < 1e-9
