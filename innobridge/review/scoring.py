"""Fair aggregation of review scores (pure Python, no Django).

Each review's total is the weighted mean of its criterion scores (0–100). Reviewers differ in
how harsh or lenient they are, so every total is also expressed as a z-score within its reviewer
(how far above or below that reviewer's own mean, in that reviewer's standard deviations); an
item's rank follows the mean z-score, ties broken by the mean raw total. A reviewer with fewer
than two reviews, or who gave everyone the same total, carries no such information and counts
as z = 0. Items whose raw totals spread by ``DISAGREEMENT_SPREAD`` points or more are flagged so
staff look at the comments before deciding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DISAGREEMENT_SPREAD = Decimal(20)
SCORE_RANGE = (Decimal(0), Decimal(100))


class ScoreError(ValueError):
    """A criterion score is missing or out of range; the message names the criterion."""


def weighted_total(
    scores: Mapping[str, object], criteria: Sequence[Mapping[str, object]]
) -> Decimal:
    """The weighted mean of the criterion scores, 2 decimals; every criterion must be scored."""
    total = Decimal(0)
    weights = Decimal(0)
    for criterion in criteria:
        name = str(criterion["name"])
        weight = Decimal(str(criterion["weight"]))
        value = scores.get(name)
        if value is None or value == "":
            raise ScoreError(name)
        try:
            score = Decimal(str(value))
        except ArithmeticError:
            raise ScoreError(name) from None
        if not score.is_finite() or not SCORE_RANGE[0] <= score <= SCORE_RANGE[1]:
            raise ScoreError(name)
        total += weight * score
        weights += weight
    if weights <= 0:
        raise ScoreError("")
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Review:
    item: int
    reviewer: int
    total: Decimal


@dataclass
class ItemResult:
    item: int
    totals: list[Decimal] = field(default_factory=list)
    zs: list[float] = field(default_factory=list)
    rank: int = 0

    @property
    def count(self) -> int:
        return len(self.totals)

    @property
    def mean(self) -> Decimal | None:
        if not self.totals:
            return None
        mean = sum(self.totals, Decimal(0)) / len(self.totals)
        return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def z(self) -> float | None:
        return round(sum(self.zs) / len(self.zs), 3) if self.zs else None

    @property
    def spread(self) -> Decimal:
        return max(self.totals) - min(self.totals) if len(self.totals) > 1 else Decimal(0)

    @property
    def disagreement(self) -> bool:
        return self.spread >= DISAGREEMENT_SPREAD


def reviewer_z(reviews: Iterable[Review]) -> dict[tuple[int, int], float]:
    """(item, reviewer) → the total as a z-score within the reviewer's own totals."""
    by_reviewer: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer].append(review)
    z: dict[tuple[int, int], float] = {}
    for reviewer, own in by_reviewer.items():
        values = [float(r.total) for r in own]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        for review, value in zip(own, values, strict=True):
            z[(review.item, reviewer)] = (value - mean) / sd if len(values) > 1 and sd > 0 else 0.0
    return z


def aggregate(reviews: Sequence[Review], items: Iterable[int]) -> list[ItemResult]:
    """Per item: raw totals, z-scores, rank (1 = best) — items without reviews rank last."""
    z = reviewer_z(reviews)
    results = {item: ItemResult(item) for item in items}
    for review in reviews:
        result = results.setdefault(review.item, ItemResult(review.item))
        result.totals.append(review.total)
        result.zs.append(z[(review.item, review.reviewer)])
    ordered = sorted(
        results.values(),
        key=lambda r: (r.count == 0, -(r.z or 0.0), -(r.mean or Decimal(0)), r.item),
    )
    for position, result in enumerate(ordered, start=1):
        result.rank = position
    return ordered
